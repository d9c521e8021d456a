"""bitácora con sello encadenado

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

Each audit entry gets ``hash``: SHA-256 of its fields chained to the previous entry's hash
(``db/audit_chain.py``). The entries already in the file are sealed here, in id order, so ``ses verificar``
can tell from now on when one of them is altered, removed or inserted.
"""
import sqlalchemy as sa
from alembic import op

from sistema_seguimiento.db import audit_chain

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_entry", sa.Column("hash", sa.String(length=64), nullable=True))
    audit_chain.seal_all(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("audit_entry") as batch_op:
        batch_op.drop_column("hash")
