#!/usr/bin/env bash
# Proves that a real spreadsheet program opens every SES export: builds the demo database, writes each
# workbook with the `ses` command and converts it to PDF with LibreOffice headless.
# Usage: tools/check_libreoffice.sh [output dir]   (needs soffice: apt-get install -y libreoffice-calc-nogui)
set -euo pipefail
SES="${SES:-ses}"
if ! command -v "$SES" >/dev/null 2>&1; then SES="$(dirname "$0")/../.venv/bin/ses"; fi
OUT="${1:-$(mktemp -d)}"
mkdir -p "$OUT"
command -v soffice >/dev/null || { echo "Falta LibreOffice (soffice)." >&2; exit 2; }
DB="$OUT/demo.db"
rm -f "$DB"
"$SES" demo --db "$DB" >/dev/null
"$SES" exportar mir --db "$DB" --salida "$OUT/mir.xlsx"
"$SES" exportar mir --db "$DB" --programa E001 --salida "$OUT/mir_E001.xlsx"
"$SES" exportar fichas --db "$DB" --salida "$OUT/fichas.xlsx"
"$SES" exportar avance --db "$DB" --periodo 2026-10 --salida "$OUT/avance.xlsx"
"$SES" exportar captura --db "$DB" --periodo 2026-10 --dependencia DSPM --salida "$OUT/captura.xlsx"
start=$(date +%s)
fail=0
for f in "$OUT"/*.xlsx; do
  soffice --headless --norestore -env:UserInstallation="file://$OUT/lo_profile" \
    --convert-to pdf --outdir "$OUT/pdf" "$f" >/dev/null 2>&1 || true
  pdf="$OUT/pdf/$(basename "${f%.xlsx}").pdf"
  if [ -s "$pdf" ]; then
    pages=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
    echo "OK     $(basename "$f") → $(basename "$pdf") (${pages:-?} páginas)"
  else
    echo "FALLA  $(basename "$f"): LibreOffice no lo pudo abrir" >&2
    fail=1
  fi
done
echo "Conversión con LibreOffice: $(( $(date +%s) - start )) s. Archivos en $OUT"
exit $fail
