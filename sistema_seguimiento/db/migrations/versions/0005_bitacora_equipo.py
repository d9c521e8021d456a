"""bitácora: equipo (PC) de cada cambio

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

Each audit entry records the PC it was written on (``host``), sealed with the rest of the entry when present
(``db/audit_chain.py``); older entries keep NULL and their seals stay valid.
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_entry", sa.Column("host", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_entry") as batch_op:
        batch_op.drop_column("host")
