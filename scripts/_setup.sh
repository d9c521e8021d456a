#!/usr/bin/env bash
# Shared set-up for run.sh and test.sh: system libraries Qt needs (when root and apt exists),
# a virtual environment in .venv, and the project installed into it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

QT_LIBS="libegl1 libgl1 libxkbcommon0 libfontconfig1 libfreetype6 libglib2.0-0 libdbus-1-3 fonts-dejavu-core"
X_LIBS="xvfb xauth libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-xfixes0 libxcb-xkb1 libxcb-util1"

apt_install() {
  # $@: packages. Installs only what is missing; silently skips when not root or no apt.
  command -v apt-get >/dev/null 2>&1 || return 0
  [ "$(id -u)" = "0" ] || { echo "Aviso: no soy root; instale con apt: $*" >&2; return 0; }
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Instalando paquetes del sistema: ${missing[*]}"
  if [ -z "${SES_APT_UPDATED:-}" ]; then apt-get update -qq; export SES_APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

make_venv() {
  # $1: pip extras ("" or "[test]")
  local py="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    "$py" -m venv .venv
  fi
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q -e ".$1"
}
