#!/usr/bin/env bash
# Debian package from the bundle: the program in /opt/ses, «ses» on PATH (/usr/bin/ses → /opt/ses/ses), a
# .desktop entry in the Office menu with the icon. The user's data (~/.local/share/SES) is never touched by
# installing, upgrading or removing the package; the program migrates a database (after backing it up) when it
# opens one made by an older version.
#   bash installer/linux/build_deb.sh BUNDLE_DIR VERSION OUTPUT.deb
set -euo pipefail
BUNDLE="$1"; VERSION="$2"; OUT="$3"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt/ses" "$STAGE/usr/bin" "$STAGE/usr/share/applications"
cp -a "$BUNDLE/." "$STAGE/opt/ses/"
ln -s /opt/ses/ses "$STAGE/usr/bin/ses"
install -m 644 "$HERE/ses.desktop" "$STAGE/usr/share/applications/ses.desktop"
for s in 16 24 32 48 64 128 256; do
  install -D -m 644 "$ROOT/resources/ses-$s.png" "$STAGE/usr/share/icons/hicolor/${s}x${s}/apps/ses.png"
done
install -D -m 644 "$ROOT/resources/ses.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/ses.svg"
SIZE_KB=$(du -sk "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@SIZE@/$SIZE_KB/" "$HERE/control.in" > "$STAGE/DEBIAN/control"
install -m 755 "$HERE/postinst" "$STAGE/DEBIAN/postinst"
install -m 755 "$HERE/postinst" "$STAGE/DEBIAN/postrm"   # the same: refresh the menu and icon caches
chmod -R go-w "$STAGE"
mkdir -p "$(dirname "$OUT")"
dpkg-deb --root-owner-group -Zgzip -z6 --build "$STAGE" "$OUT" >/dev/null
echo "Paquete Debian: $OUT ($(du -h "$OUT" | cut -f1))"
