#!/usr/bin/env python3
"""Check what ``make test`` / ``make demo`` need from the system, before anything else.

Run by the Makefile with the system Python (so this file keeps to old syntax and the
standard library). It checks the Python version, ``venv``/``ensurepip``, the shared
libraries Qt loads (the offscreen set for tests, plus the xcb set for a window) and,
for the tests, ``node``/``npm``, the desktop metadata validators and the PostgreSQL and
Redis servers the cluster tests start. For whatever is missing it prints the exact install
command for this distribution (apt-get on Debian/Ubuntu, dnf on Fedora) and exits 1.

    python3 packaging/tools/check_prereqs.py test|demo|bundle [--python PYTHON]

``SCORING_SKIP_PREREQS=1`` skips the check (a system where the names differ).
"""

import glob
import os
import shutil
import subprocess
import sys

MIN_PYTHON = (3, 11)

# soname -> (Debian/Ubuntu package, Fedora package)
OFFSCREEN_LIBS = {
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libX11.so.6": ("libx11-6", "libX11"),
}
XCB_LIBS = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
}
# command -> packages: the metadata validators run by tests/packaging (Linux)
TEST_TOOLS = {
    "desktop-file-validate": ("desktop-file-utils", "desktop-file-utils"),
    "appstreamcli": ("appstream", "appstream"),
}
# command -> packages: what `make bundle` / `make deb` run besides Python
BUNDLE_TOOLS = {
    "xvfb-run": ("xvfb xauth", "xorg-x11-server-Xvfb xauth"),
    "dpkg-deb": ("dpkg", "dpkg"),
}
# command -> packages: the servers the cluster tests start (PostgreSQL, Redis)
CLUSTER_TOOLS = {
    "initdb": ("postgresql", "postgresql-server"),
    "pg_ctl": ("postgresql", "postgresql-server"),
    "redis-server": ("redis-server", "redis"),
}
POSTGRES_BIN_GLOB = "/usr/lib/postgresql/*/bin"
VENV_PACKAGE = ("python3-venv", "python3")
NODE_PACKAGES = ("nodejs npm", "nodejs npm")


def find_tool(tool):
    """Path of ``tool`` on PATH or, for PostgreSQL's server programs, in Debian's
    versioned directory (/usr/lib/postgresql/N/bin, not on PATH); None if absent."""
    found = shutil.which(tool)
    if found:
        return found
    for directory in sorted(glob.glob(POSTGRES_BIN_GLOB), reverse=True):
        candidate = os.path.join(directory, tool)
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def distro_family():
    """'debian', 'fedora' or '' (from /etc/os-release)."""
    try:
        with open("/etc/os-release", encoding="utf-8") as handle:
            text = handle.read().lower()
    except OSError:
        return ""
    fields = {}
    for line in text.splitlines():
        key, _, value = line.partition("=")
        fields[key] = value.strip('"')
    ids = (fields.get("id", "") + " " + fields.get("id_like", "")).split()
    if any(i in ("debian", "ubuntu") for i in ids):
        return "debian"
    if any(i in ("fedora", "rhel", "centos") for i in ids):
        return "fedora"
    return ""


def known_sonames():
    """Every shared library the dynamic linker knows (``ldconfig -p``)."""
    for ldconfig in ("ldconfig", "/sbin/ldconfig", "/usr/sbin/ldconfig"):
        try:
            out = subprocess.run(
                [ldconfig, "-p"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                universal_newlines=True, check=False,
            ).stdout
        except OSError:
            continue
        names = set()
        for line in out.splitlines()[1:]:
            names.add(line.strip().split(" ", 1)[0])
        return names
    return None


def python_problems(python):
    """Problems with the Python that will make the venv."""
    probe = (
        "import sys, ensurepip, venv; "
        "print('%d.%d' % sys.version_info[:2])"
    )
    try:
        result = subprocess.run(
            [python, "-c", probe], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            universal_newlines=True, check=False,
        )
    except OSError:
        return ["Python: %r was not found" % python], ["python3"]
    if result.returncode != 0:
        if "ensurepip" in result.stderr or "venv" in result.stderr:
            return ["Python: the venv module (ensurepip) is missing"], [VENV_PACKAGE]
        return ["Python: %r does not run" % python], []
    major, minor = (int(x) for x in result.stdout.strip().split("."))
    if (major, minor) < MIN_PYTHON:
        return [
            "Python %d.%d is too old: 3.11 or newer is needed (Ubuntu 22.04: "
            "sudo apt-get install python3.11 python3.11-venv, then make ... "
            "PYTHON=python3.11)" % (major, minor)
        ], []
    return [], []


def missing_libs(wanted, sonames):
    """(soname, packages) of the libraries the linker does not know."""
    return [(name, pkgs) for name, pkgs in sorted(wanted.items()) if name not in sonames]


def install_command(family, packages):
    """The exact command that installs ``packages`` on this distribution."""
    names = []
    for deb, rpm in packages:
        for name in (deb if family != "fedora" else rpm).split():
            if name not in names:
                names.append(name)
    if family == "fedora":
        return "sudo dnf install -y " + " ".join(names)
    return "sudo apt-get install -y " + " ".join(names)


def check(purpose, python):
    """Problems (text lines) and the packages that fix them."""
    problems, packages = python_problems(python)
    if sys.platform.startswith("linux"):
        sonames = known_sonames()
        if sonames is not None:
            wanted = dict(OFFSCREEN_LIBS)
            if purpose in ("demo", "bundle"):
                wanted.update(XCB_LIBS)
            for name, pkgs in missing_libs(wanted, sonames):
                problems.append("Qt needs %s (not installed)" % name)
                packages.append(pkgs)
        if purpose == "bundle":
            for tool, pkgs in sorted(BUNDLE_TOOLS.items()):
                if shutil.which(tool) is None:
                    problems.append("%s is missing (make bundle / make deb)" % tool)
                    packages.append(pkgs)
        if purpose == "test":
            for tool, pkgs in sorted(TEST_TOOLS.items()):
                if shutil.which(tool) is None:
                    problems.append("%s is missing (desktop metadata tests)" % tool)
                    packages.append(pkgs)
    if purpose == "test":
        for tool in ("node", "npm"):
            if shutil.which(tool) is None:
                problems.append("%s is missing (the JavaScript client compatibility test)" % tool)
                packages.append(NODE_PACKAGES)
        for tool, pkgs in sorted(CLUSTER_TOOLS.items()):
            if find_tool(tool) is None:
                problems.append("%s is missing (the PostgreSQL and cluster tests)" % tool)
                packages.append(pkgs)
    return problems, packages


def main(argv):
    """Exit 0 when everything is there, else print what to install and exit 1."""
    purpose = argv[1] if len(argv) > 1 else "test"
    python = "python3"
    if "--python" in argv:
        python = argv[argv.index("--python") + 1]
    if os.environ.get("SCORING_SKIP_PREREQS"):
        return 0
    problems, packages = check(purpose, python)
    if not problems:
        return 0
    sys.stderr.write("Before 'make %s', install what is missing:\n" % purpose)
    for line in problems:
        sys.stderr.write("  - %s\n" % line)
    if packages:
        sys.stderr.write("\n  %s\n" % install_command(distro_family(), packages))
    sys.stderr.write(
        "\n(README.md, 'Prerequisites'; set SCORING_SKIP_PREREQS=1 to skip this check)\n"
    )
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
