#!/usr/bin/env bash
# Installs SES and starts it. First run: a demonstration database in the user's data folder.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
apt_install $QT_LIBS $X_LIBS
make_venv ""
DB="$(.venv/bin/python -c 'from sistema_seguimiento.paths import default_db_path; print(default_db_path())')"
if [ ! -s "$DB" ]; then
  echo "Primera ejecución: se crea la base de demostración en $DB"
  .venv/bin/ses demo --db "$DB"
fi
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${QT_QPA_PLATFORM:-}" != "offscreen" ]; then
  if command -v xvfb-run >/dev/null 2>&1 && [ -n "${SES_XVFB:-}" ]; then
    exec xvfb-run -a .venv/bin/ses abrir "$DB" "$@"
  fi
  echo "No hay pantalla gráfica (DISPLAY); se muestra el avance de octubre de 2026 en texto:"
  exec .venv/bin/ses avance --db "$DB" --periodo 2026-10
fi
exec .venv/bin/ses abrir "$DB" "$@"
