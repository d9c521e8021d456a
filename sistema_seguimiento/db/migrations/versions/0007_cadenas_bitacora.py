"""bitácora: una cadena de sellos por dependencia

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

The sealed bitácora (``db/audit_chain.py``) becomes one hash chain per scope: the dependencia of the user who writes
(``audit_entry.chain`` = its key), or "" for the organization (administradores without a dependencia, the system).
``audit_chain_head`` holds each chain's last entry (id and hash); a writer locks only its chain's row, so
capturistas of different dependencias never wait for each other. The entries already in the file stay the chain
"" exactly as they were sealed (no hash changes) and its head is set to the last one.
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_entry", sa.Column("chain", sa.String(length=40), nullable=False, server_default=""))
    op.create_table(
        "audit_chain_head",
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("scope"),
    )
    conn = op.get_bind()
    last = conn.execute(sa.text("SELECT id, hash FROM audit_entry ORDER BY id DESC LIMIT 1")).first()
    if last is not None:
        conn.execute(sa.text("INSERT INTO audit_chain_head (scope, last_id, last_hash) VALUES ('', :i, :h)"),
                     {"i": last[0], "h": last[1] or ""})


def downgrade() -> None:
    op.drop_table("audit_chain_head")
    with op.batch_alter_table("audit_entry") as batch_op:
        batch_op.drop_column("chain")
