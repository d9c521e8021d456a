"""índices de consulta

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_program_agency", "program", ["agency_id"])
    op.create_index("ix_justification_indicator", "justification", ["indicator_id", "period"])
    op.create_index("ix_evidence_indicator", "evidence", ["indicator_id", "period"])


def downgrade() -> None:
    op.drop_index("ix_evidence_indicator", table_name="evidence")
    op.drop_index("ix_justification_indicator", table_name="justification")
    op.drop_index("ix_program_agency", table_name="program")
