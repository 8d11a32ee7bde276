#!/usr/bin/env bash
# Build dist/scoring-console_<version>_<arch>.deb from the PyInstaller bundle with
# dpkg-deb (make deb runs make bundle and make icons first).
#   packaging/linux/build_deb.sh BUNDLE_DIR ICONS_DIR OUT_DIR
# Layout: /opt/scoring-console (the bundle), /usr/bin links, the desktop entry, AppStream
# metainfo and hicolor icons under /usr/share, scoring-server.service with the system
# user "scoring" and the data dir /var/lib/scoring-server, /etc/default/scoring-server.
set -euo pipefail
BUNDLE=$(cd "${1:?bundle dir}" && pwd)
ICONS=$(cd "${2:?icons dir}" && pwd)
OUT=${3:?out dir}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT_DIR=$(cd "$HERE/../.." && pwd)
ID=io.github.scoring_console.ScoringConsole
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT_DIR/pyproject.toml")
ARCH=$(dpkg --print-architecture)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"

install -d "$root/opt" "$root/usr/bin" "$root/DEBIAN"
cp -a "$BUNDLE" "$root/opt/scoring-console"
for program in scoring-console scoring-server scoring-cli; do
    ln -s "/opt/scoring-console/$program" "$root/usr/bin/$program"
done
install -Dm644 "$HERE/$ID.desktop" "$root/usr/share/applications/$ID.desktop"
install -Dm644 "$HERE/$ID.metainfo.xml" "$root/usr/share/metainfo/$ID.metainfo.xml"
install -d "$root/usr/share/icons"
cp -r "$ICONS/hicolor" "$root/usr/share/icons/hicolor"
find "$root/usr/share/icons" -type f -exec chmod 644 {} +
install -Dm644 "$HERE/scoring-server.service" "$root/lib/systemd/system/scoring-server.service"
install -Dm644 "$HERE/scoring-server.default" "$root/etc/default/scoring-server"
install -Dm644 "$ROOT_DIR/LICENSE" "$root/usr/share/doc/scoring-console/copyright"
install -Dm644 "$ROOT_DIR/README.md" "$root/usr/share/doc/scoring-console/README.md"

# The bundle carries Python, Qt and their libraries, built against this host's glibc;
# what it takes from the system is glibc, the X11/xcb, GL and font stack, D-Bus.
glibc=$(find "$root/opt/scoring-console" -type f \( -name '*.so*' -o -perm -u+x \) -print0 \
    | xargs -0 objdump -T 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -n1 \
    | cut -d_ -f2)
size=$(du -sk "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: scoring-console
Version: $VERSION
Section: misc
Priority: optional
Architecture: $ARCH
Maintainer: Scoring Console developers <dev@scoring-console.invalid>
Installed-Size: $size
Depends: libc6 (>= $glibc), adduser, libgl1, libegl1, libfontconfig1, libfreetype6, libxkbcommon0, libglib2.0-0, libdbus-1-3, libx11-6, libx11-xcb1, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-image0, libxcb-render-util0, libxcb-util1, libxcb-shape0, libxcb-xkb1, libxcb-randr0, libxcb-xfixes0, libxcb-shm0, libxcb-sync1, fonts-dejavu-core | fonts-liberation2
Recommends: libpulse0
Suggests: gnome-keyring
Homepage: https://github.com/scoring-console/scoring-console
Description: desktop scoring console with a real-time scoring server
 Judges enter scores from the keyboard, tally masters watch them arrive live,
 auditors and the board certify. Includes scoring-console (desktop app),
 scoring-server (with a systemd unit) and scoring-cli, as one self-contained
 bundle under /opt/scoring-console.
CONTROL
echo "/etc/default/scoring-server" >"$root/DEBIAN/conffiles"

cat >"$root/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = "configure" ]; then
    if ! getent passwd scoring >/dev/null; then
        adduser --system --group --home /var/lib/scoring-server --no-create-home \
            --gecos "Scoring Console server" scoring >/dev/null
    fi
    install -d -o scoring -g scoring -m 0750 /var/lib/scoring-server
fi
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null || true
fi
if [ "$1" = "configure" ] && [ -x /usr/bin/deb-systemd-helper ]; then
    deb-systemd-helper unmask scoring-server.service >/dev/null || true
    if deb-systemd-helper --quiet was-enabled scoring-server.service; then
        deb-systemd-helper enable scoring-server.service >/dev/null || true
    else
        deb-systemd-helper update-state scoring-server.service >/dev/null || true
    fi
fi
if [ "$1" = "configure" ] && [ -d /run/systemd/system ]; then
    # started on install only if enabled before (an upgrade); first installs: enable it
    # yourself after choosing where it listens (/etc/default/scoring-server)
    deb-systemd-invoke try-restart scoring-server.service >/dev/null || true
fi
command -v update-desktop-database >/dev/null && update-desktop-database -q /usr/share/applications || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
exit 0
POSTINST
cat >"$root/DEBIAN/prerm" <<'PRERM'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = "remove" ]; then
    deb-systemd-invoke stop scoring-server.service >/dev/null || true
fi
exit 0
PRERM
cat >"$root/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null || true
fi
if [ "$1" = "purge" ]; then
    if [ -x /usr/bin/deb-systemd-helper ]; then
        deb-systemd-helper purge scoring-server.service >/dev/null || true
    fi
    # the scores are the venue's: /var/lib/scoring-server is kept (delete it by hand)
fi
exit 0
POSTRM
chmod 755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"

mkdir -p "$OUT"
deb="$OUT/scoring-console_${VERSION}_${ARCH}.deb"
# xz: the smallest package; DEB_COMPRESS=gzip builds several times faster (CI)
dpkg-deb --root-owner-group "-Z${DEB_COMPRESS:-xz}" --build "$root" "$deb" >/dev/null
echo "$deb (glibc >= $glibc)"
