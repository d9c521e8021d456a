#!/usr/bin/env bash
# Render every output of the demo to PNG pages, for a look before handing documents out:
# the four workbooks (MIR, fichas técnicas, avance, captura) through LibreOffice headless to PDF, and the
# Informe mensual de avance; each PDF becomes pages <name>-<n>.png with pdftoppm.
#   tools/render_outputs.sh [OUTDIR] [PERIODO] [DPI]
# Needs: soffice (apt-get install -y libreoffice-calc-nogui) and pdftoppm (apt-get install -y poppler-utils).
set -euo pipefail
SES="${SES:-ses}"
if ! command -v "$SES" >/dev/null 2>&1; then SES="$(dirname "$0")/../.venv/bin/ses"; fi
OUT="${1:-$(mktemp -d /tmp/ses-salidas-XXXX)}"
PERIODO="${2:-2026-10}"
DPI="${3:-70}"
command -v soffice >/dev/null || { echo "Falta LibreOffice (soffice)." >&2; exit 2; }
command -v pdftoppm >/dev/null || { echo "Falta pdftoppm (poppler-utils)." >&2; exit 2; }
mkdir -p "$OUT/pdf" "$OUT/png"
DB="$OUT/demo.db"
rm -f "$DB" "$OUT"/*.xlsx "$OUT"/pdf/*.pdf "$OUT"/png/*.png
"$SES" demo --db "$DB" >/dev/null
"$SES" exportar mir --db "$DB" --salida "$OUT/mir.xlsx" >/dev/null
"$SES" exportar fichas --db "$DB" --salida "$OUT/fichas.xlsx" >/dev/null
"$SES" exportar avance --db "$DB" --periodo "$PERIODO" --salida "$OUT/avance.xlsx" >/dev/null
"$SES" exportar captura --db "$DB" --periodo "$PERIODO" --dependencia DSPM --salida "$OUT/captura.xlsx" >/dev/null
"$SES" informe --db "$DB" --periodo "$PERIODO" --pdf "$OUT/pdf/informe.pdf" >/dev/null
soffice --headless --norestore -env:UserInstallation="file://$OUT/lo_profile" \
  --convert-to pdf --outdir "$OUT/pdf" "$OUT"/*.xlsx >/dev/null 2>&1
for pdf in "$OUT"/pdf/*.pdf; do
  name=$(basename "${pdf%.pdf}")
  pdftoppm -r "$DPI" -png "$pdf" "$OUT/png/$name"
  pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
  echo "$name: $pages páginas"
done
echo "Páginas en $OUT/png"
