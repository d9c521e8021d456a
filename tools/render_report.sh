#!/usr/bin/env bash
# Render the monthly report of a database to one PNG per page, for a visual check.
#   tools/render_report.sh [DB] [PERIODO] [OUTDIR] [DPI]
# Without DB, a fresh demo database is created. Extra flags for «ses informe» go in SES_INFORME_FLAGS
# (e.g. "--dependencia DSPM" or "--sin-graficas").
set -euo pipefail
SES=${SES:-$(command -v ses || echo "$(dirname "$0")/../.venv/bin/ses")}
DB=${1:-}
PERIODO=${2:-2026-10}
OUT=${3:-$(mktemp -d /tmp/ses-informe-XXXX)}
DPI=${4:-60}
mkdir -p "$OUT"
if [ -z "$DB" ]; then
  DB="$OUT/demo.db"
  rm -f "$DB"
  "$SES" demo --db "$DB" >/dev/null
fi
# shellcheck disable=SC2086
"$SES" informe --db "$DB" --periodo "$PERIODO" ${SES_INFORME_FLAGS:-} --pdf "$OUT/informe.pdf"
rm -f "$OUT"/pagina-*.png
pdftoppm -r "$DPI" -png "$OUT/informe.pdf" "$OUT/pagina"
pdfinfo "$OUT/informe.pdf" | grep -E '^(Pages|Page size)'
ls -1 "$OUT"/pagina-*.png
