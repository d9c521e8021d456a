"""Database fixtures shared by db/, services/ and ui/ tests: a real SQLite file in tmp_path, or a real
PostgreSQL database when SES_TEST_DATABASE_URL is set (schema dropped and recreated for each test)."""
from __future__ import annotations

import os

import pytest

from sistema_seguimiento.db.database import Database, OpenOptions

PG_URL = os.environ.get("SES_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_target(request, tmp_path):
    """A place for a new database: a file path (sqlite) or an emptied PostgreSQL URL."""
    if request.param == "postgresql":
        _reset_postgres(PG_URL)
        return PG_URL
    return str(tmp_path / "ses.db")


@pytest.fixture
def new_db(db_target):
    db = Database.open(db_target, OpenOptions(create=True))
    yield db
    db.close()


@pytest.fixture
def demo_db(db_target):
    from sistema_seguimiento.services.loading import load_demo

    db = Database.open(db_target, OpenOptions(create=True))
    load_demo(db)
    yield db
    db.close()


def db_downgrade(db, revision):
    """Undo the revisions after ``revision`` with Alembic itself (tests that rebuild an older file)."""
    from alembic import command

    from sistema_seguimiento.db.database import _alembic_config

    with db.engine.begin() as conn:
        cfg = _alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
