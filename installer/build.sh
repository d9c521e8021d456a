#!/usr/bin/env bash
# Builds the bundled SES on Linux (PyInstaller one-folder, installer/ses.spec), checks it in a clean environment,
# archives it and makes the Debian package:
#   dist/ses/                                 the bundle (SES windowed, ses console)
#   dist/ses-<version>-linux-x86_64.tar.gz    the archive
#   dist/ses_<version>_amd64.deb              the Debian package (installer/linux/build_deb.sh)
#   dist/bundle-report.json                   build time and sizes (bench/bundle.py prints them)
# Any failed check stops the script with a non-zero exit code.
#   bash installer/build.sh [--sin-deb] [--reusar]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/_setup.sh"   # cd to the repository; apt_install, make_venv
apt_install $QT_LIBS
make_venv "[build]"
PY=.venv/bin/python
VERSION="$($PY -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
BUNDLE=dist/ses
ARCHIVE="dist/ses-${VERSION}-linux-x86_64.tar.gz"

WITH_DEB=1; REUSE=0
for arg in "$@"; do
  case "$arg" in
    --sin-deb) WITH_DEB=0 ;;
    --reusar) REUSE=1 ;;   # check and package the existing dist/ses again (development)
    *) echo "uso: bash installer/build.sh [--sin-deb] [--reusar]" >&2; exit 2 ;;
  esac
done
if [ "$REUSE" = 1 ] && [ -x "$BUNDLE/ses" ]; then
  echo "== Se reutiliza el paquete existente $BUNDLE"
  build_s=null
else
  echo "== Empaquetando SES ${VERSION} con PyInstaller"
  rm -rf "$BUNDLE" build/pyinstaller
  t0=$(date +%s)
  $PY -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller installer/ses.spec
  build_s=$(( $(date +%s) - t0 ))
fi
[ -x "$BUNDLE/ses" ] && [ -x "$BUNDLE/SES" ] || { echo "ERROR: faltan los ejecutables en $BUNDLE" >&2; exit 1; }

# ---- checks in a clean environment: no venv, no PYTHONPATH, fresh HOME and data folder ------------------------
CHECK="$(mktemp -d)"
trap 'rm -rf "$CHECK"' EXIT
clean() {  # clean DATA_DIR CMD...: run with an empty environment but for a temp HOME and the data folder
  local data="$1"; shift
  env -i HOME="${CHECK_HOME:-$CHECK/home}" PATH=/usr/bin:/bin LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
    ${data:+SES_DATA_DIR="$data"} "$@"
}
mkdir -p "$CHECK/home"
DATA="$CHECK/Documentos de María/datos SES"   # spaces and accents, as a OneDrive folder on Windows
fail() { echo "ERROR en la verificación del paquete: $*" >&2; exit 1; }
echo "== Verificando el paquete en un entorno limpio ($CHECK)"
clean "$DATA" "$BUNDLE/ses" --version | tee "$CHECK/version.txt"
grep -q "Sistema Estratégico de Seguimiento ${VERSION}" "$CHECK/version.txt" || fail "ses --version sin la versión"
grep -q "^Qt 6" "$CHECK/version.txt" || fail "ses --version sin la versión de Qt"
clean "$DATA" "$BUNDLE/ses" demo
clean "$DATA" "$BUNDLE/ses" avance --periodo 2026-10 --json > "$CHECK/avance.json"
python3 -c 'import json,sys; rows=json.load(open(sys.argv[1])); assert len(rows) >= 10, len(rows)' "$CHECK/avance.json" \
  || fail "ses avance --json"
clean "$DATA" "$BUNDLE/ses" exportar avance --periodo 2026-10 --salida "$CHECK/avance octubre.xlsx"
[ -s "$CHECK/avance octubre.xlsx" ] || fail "ses exportar avance"
clean "$DATA" "$BUNDLE/ses" informe --periodo 2026-10 --pdf "$CHECK/informe.pdf"
head -c 5 "$CHECK/informe.pdf" | grep -q "%PDF-" || fail "ses informe --pdf"
clean "$DATA" env SES_SALIR_TRAS_MS=1500 "$BUNDLE/SES" abrir "$DATA/ses.db" --usuario admin \
  || fail "la ventana no se abrió y cerró limpiamente (código $?)"
echo "ventana: abierta, mostrada y cerrada con código 0"
[ ! -e "$DATA/logs/ses.log" ] || { cat "$DATA/logs/ses.log" >&2; fail "errores registrados en ses.log"; }
# portable mode: a copy of the bundle on a "USB stick" with ses-portable.ini, no SES_DATA_DIR
USB="$CHECK/Memoria USB/SES portátil"
mkdir -p "$USB" "$CHECK/home-usb"
export CHECK_HOME="$CHECK/home-usb"   # a profile no earlier check has written to
cp -a "$BUNDLE/." "$USB/"
: > "$USB/ses-portable.ini"
clean "" "$USB/ses" demo
[ -s "$USB/datos/ses.db" ] || fail "modo portátil: no se creó datos/ses.db junto al programa"
clean "" env SES_SALIR_TRAS_MS=1500 "$USB/SES" abrir "$USB/datos/ses.db" --usuario admin || fail "modo portátil: ventana"
[ -z "$(find "$CHECK_HOME" -mindepth 1 -print -quit)" ] || { find "$CHECK_HOME" >&2; fail "modo portátil: se escribió en HOME"; }
unset CHECK_HOME
echo "modo portátil: datos, configuración y registros en $USB/datos"
rm -rf "$USB"

# ---- archive and sizes -------------------------------------------------------------------------------------
t1=$(date +%s)
tar -C dist -czf "$ARCHIVE" ses
archive_s=$(( $(date +%s) - t1 ))
size() { du -sb "$@" 2>/dev/null | awk '{s+=$1} END {print s+0}'; }
total=$(size "$BUNDLE")
qt=$(size "$BUNDLE"/_internal/PySide6 "$BUNDLE"/_internal/shiboken6)
np=$(size "$BUNDLE"/_internal/numpy "$BUNDLE"/_internal/numpy.libs)
gz=$(stat -c %s "$ARCHIVE")
cat > dist/bundle-report.json <<JSON
{"version": "$VERSION", "build_seconds": $build_s, "archive_seconds": $archive_s, "unpacked_bytes": $total,
 "archive_bytes": $gz, "qt_bytes": $qt, "numpy_bytes": $np, "rest_bytes": $(( total - qt - np )),
 "target_unpacked_bytes": 209715200, "target_archive_bytes": 83886080}
JSON
mb() { awk -v b="$1" 'BEGIN {printf "%.1f MB", b / 1048576}'; }
echo "== Paquete listo (construido en ${build_s} s): $(mb $total) descomprimido (meta ≤ 200 MB), $(mb $gz) en $ARCHIVE (meta ≤ 80 MB)"
echo "   Qt/PySide6 $(mb $qt), numpy $(mb $np), resto $(mb $(( total - qt - np )))"
[ "$total" -le 209715200 ] || fail "el paquete pasa de 200 MB"
[ "$gz" -le 83886080 ] || fail "el archivo comprimido pasa de 80 MB"

if [ "$WITH_DEB" = 1 ]; then
  bash installer/linux/build_deb.sh "$BUNDLE" "$VERSION" "dist/ses_${VERSION}_amd64.deb"
fi
