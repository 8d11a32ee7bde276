"""packaging/tools/check_prereqs.py: what is missing, and the exact install command."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "packaging" / "tools" / "check_prereqs.py"


@pytest.fixture
def prereqs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_prereqs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def all_sonames(module: ModuleType) -> set[str]:
    return set(module.OFFSCREEN_LIBS) | set(module.XCB_LIBS)


def test_this_machine_passes_the_test_check() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "test", "--python", sys.executable],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_missing_xcb_libs_give_the_apt_command(
    prereqs: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    known = all_sonames(prereqs) - {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    monkeypatch.setattr(prereqs, "known_sonames", lambda: known)
    monkeypatch.setattr(prereqs, "distro_family", lambda: "debian")
    monkeypatch.setattr(sys, "platform", "linux")
    assert prereqs.main(["x", "test", "--python", sys.executable]) == 0, "tests run offscreen"
    assert prereqs.main(["x", "demo", "--python", sys.executable]) == 1
    err = capsys.readouterr().err
    assert "sudo apt-get install -y libxcb-icccm4 libxcb-keysyms1\n" in err
    assert "libxcb-icccm.so.4" in err


def test_fedora_names_and_node(prereqs: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    known = all_sonames(prereqs) - {"libEGL.so.1", "libxcb-cursor.so.0"}
    monkeypatch.setattr(prereqs, "known_sonames", lambda: known)
    monkeypatch.setattr(prereqs.shutil, "which", lambda tool: None)
    monkeypatch.setattr(prereqs.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(sys, "platform", "linux")
    problems, packages = prereqs.check("test", sys.executable)
    assert any("libEGL.so.1" in p for p in problems)
    assert any("node is missing" in p for p in problems)
    assert not any("xcb-cursor" in p for p in problems), "tests need no window system"
    assert prereqs.install_command("fedora", packages) == (
        "sudo dnf install -y libglvnd-egl appstream desktop-file-utils nodejs npm "
        "postgresql-server redis"
    )


def test_missing_database_servers_give_the_apt_command(
    prereqs: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """PostgreSQL's server programs live outside PATH on Debian; Redis on PATH."""
    pg_bin = tmp_path / "postgresql" / "15" / "bin"
    pg_bin.mkdir(parents=True)
    for tool in ("initdb", "pg_ctl"):
        (pg_bin / tool).write_text("#!/bin/sh\n")
        (pg_bin / tool).chmod(0o755)
    monkeypatch.setattr(prereqs, "POSTGRES_BIN_GLOB", str(tmp_path / "postgresql" / "*" / "bin"))
    monkeypatch.setattr(prereqs, "known_sonames", lambda: all_sonames(prereqs))
    monkeypatch.setattr(prereqs, "distro_family", lambda: "debian")
    monkeypatch.setattr(sys, "platform", "linux")
    real_which = prereqs.shutil.which
    hidden = {"initdb", "pg_ctl", "redis-server"}
    monkeypatch.setattr(
        prereqs.shutil, "which", lambda tool: None if tool in hidden else real_which(tool)
    )
    assert prereqs.find_tool("initdb") == str(pg_bin / "initdb")
    assert prereqs.main(["x", "test", "--python", sys.executable]) == 1
    err = capsys.readouterr().err
    assert "redis-server is missing" in err
    assert "initdb" not in err, "found in the versioned directory"
    assert "sudo apt-get install -y redis-server\n" in err
    (pg_bin / "initdb").unlink()
    assert prereqs.main(["x", "test", "--python", sys.executable]) == 1
    assert "sudo apt-get install -y postgresql redis-server\n" in capsys.readouterr().err
    assert prereqs.main(["x", "demo", "--python", sys.executable]) == 0, "demo needs neither"


def test_old_python_is_named(prereqs: ModuleType, tmp_path: Path) -> None:
    old = tmp_path / "python3.10"
    old.write_text("#!/bin/sh\necho 3.10\n")
    old.chmod(0o755)
    problems, _ = prereqs.python_problems(str(old))
    assert problems and "3.10 is too old" in problems[0]


def test_missing_venv_module_is_named(prereqs: ModuleType, tmp_path: Path) -> None:
    broken = tmp_path / "python3"
    broken.write_text("#!/bin/sh\necho \"No module named 'ensurepip'\" >&2\nexit 1\n")
    broken.chmod(0o755)
    problems, packages = prereqs.python_problems(str(broken))
    assert problems == ["Python: the venv module (ensurepip) is missing"]
    assert prereqs.install_command("debian", packages) == "sudo apt-get install -y python3-venv"
