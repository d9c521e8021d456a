#!/usr/bin/env bash
# Runs the db/ and services/ tests against a throwaway PostgreSQL server on this machine (loopback only).
# Needs root and apt (Debian) or an installed PostgreSQL server; installs psycopg into .venv.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
apt_install postgresql
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$PGBIN" ]; then echo "No hay servidor PostgreSQL instalado; se omiten estas pruebas." >&2; exit 1; fi
[ -x .venv/bin/python ] || make_venv "[test]"
.venv/bin/python -m pip install -q "psycopg[binary]>=3.1,<4"
DATA=$(mktemp -d /tmp/ses-pg.XXXXXX)
PORT=${SES_PG_PORT:-55433}
chown postgres "$DATA"
su postgres -c "$PGBIN/initdb -D $DATA -A trust -U postgres" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D $DATA -o '-p $PORT -k $DATA -c listen_addresses=127.0.0.1' -l $DATA/log -w start" >/dev/null
cleanup() { su postgres -c "$PGBIN/pg_ctl -D $DATA -m fast stop" >/dev/null 2>&1 || true; rm -rf "$DATA"; }
trap cleanup EXIT
su postgres -c "$PGBIN/createdb -h 127.0.0.1 -p $PORT ses_test"
export SES_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/ses_test"
export QT_QPA_PLATFORM=offscreen
export SES_DATA_DIR="${SES_DATA_DIR:-$(mktemp -d)}"
.venv/bin/python -m pytest -q tests/db tests/services tests/ui -k postgresql
