"""perfiles estatales: proyectos, metas de actividad, reconducción, tarjeta de justificación

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

Issue 16 (Estado de México profile): proyectos within a Pp with their Dependencia Auxiliar, metas de actividad
with a quarterly calendar and achieved values, reconducción requests and decisions, and the two parts of the
four-part tarjeta de justificación that the older justification lacked (hecho, proyección).
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DECIMAL = sa.String(length=64)  # models.DecimalText


def upgrade() -> None:
    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("program_id", sa.Integer(), sa.ForeignKey("program.id", ondelete="CASCADE"), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("auxiliary_key", sa.String(length=40), nullable=False),
        sa.Column("auxiliary_name", sa.String(length=250), nullable=False),
        sa.Column("order", sa.Integer(), nullable=False),
        sa.UniqueConstraint("program_id", "key", name="uq_project_key"),
    )
    op.create_index("ix_project_program_id", "project", ["program_id"])
    op.create_table(
        "activity_goal",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("project.id", ondelete="CASCADE"), nullable=False),
        sa.Column("key", sa.String(length=20), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=80), nullable=False),
        sa.Column("annual_target", DECIMAL, nullable=True),
        sa.Column("annual_target_original", DECIMAL, nullable=True),
        sa.Column("order", sa.Integer(), nullable=False),
        sa.UniqueConstraint("project_id", "key", name="uq_activity_goal_key"),
    )
    op.create_index("ix_activity_goal_project_id", "activity_goal", ["project_id"])
    op.create_table(
        "activity_goal_quarter",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("goal_id", sa.Integer(), sa.ForeignKey("activity_goal.id", ondelete="CASCADE"), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("programmed", DECIMAL, nullable=True),
        sa.Column("programmed_original", DECIMAL, nullable=True),
        sa.Column("achieved", DECIMAL, nullable=True),
        sa.Column("captured_by", sa.String(length=120), nullable=False),
        sa.Column("captured_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("goal_id", "period", name="uq_activity_goal_quarter"),
    )
    op.create_table(
        "reconduction",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("indicator_id", sa.Integer(), sa.ForeignKey("indicator.id", ondelete="CASCADE"), nullable=True),
        sa.Column("goal_id", sa.Integer(), sa.ForeignKey("activity_goal.id", ondelete="CASCADE"), nullable=True),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("oficio", sa.String(length=80), nullable=False),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.CheckConstraint("kind in ('indicador','meta')", name="ck_reconduction_kind"),
        sa.CheckConstraint("status in ('solicitada','autorizada','rechazada')", name="ck_reconduction_status"),
    )
    op.create_index("ix_reconduction_period", "reconduction", ["period"])
    with op.batch_alter_table("justification") as batch_op:
        batch_op.add_column(sa.Column("fact", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("projection", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("justification") as batch_op:
        batch_op.drop_column("projection")
        batch_op.drop_column("fact")
    op.drop_index("ix_reconduction_period", table_name="reconduction")
    op.drop_table("reconduction")
    op.drop_table("activity_goal_quarter")
    op.drop_index("ix_activity_goal_project_id", table_name="activity_goal")
    op.drop_table("activity_goal")
    op.drop_index("ix_project_program_id", table_name="project")
    op.drop_table("project")
