"""Shared by the CLI tests that write as a capturista."""
from __future__ import annotations

import pytest

from tests.cli.test_ses_command import ses


@pytest.fixture
def demo(tmp_path):
    """The demo database with 0301's October returned: the demo's October is «Validado», read-only for capturistas."""
    db = tmp_path / "demo.db"
    ses("demo", "--db", db)
    ses("periodo", "devolver", "--db", db, "--usuario", "validador", "--periodo", "2026-10", "--dependencia", "0301",
        "--motivo", "Capture octubre")
    return db
