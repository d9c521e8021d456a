#!/usr/bin/env bash
# Installs SES with its test dependencies and runs the whole test suite (no display needed).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
apt_install $QT_LIBS poppler-utils
if [ -n "${SES_WITH_LIBREOFFICE:-}" ]; then apt_install libreoffice-calc-nogui; fi
make_venv "[test]"
export QT_QPA_PLATFORM=offscreen
export SES_DATA_DIR="${SES_DATA_DIR:-$(mktemp -d)}"
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then
  echo "ERROR: pytest no ejecutó ninguna prueba (código 5)." >&2
  exit 1
fi
exit $rc
