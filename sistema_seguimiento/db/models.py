"""SQLAlchemy 2 typed models of SES.

Decimal storage: every measured or programmed number is stored as TEXT holding the canonical decimal
literal (``DecimalText``). SQLite has no decimal type and SQLAlchemy's ``Numeric`` on SQLite passes
through a binary float, which would turn 0.1 into 0.1000000000000000055…; text keeps the exact value
the official typed, sorts nothing we need in SQL (all arithmetic is in ``core`` with Decimal) and is
portable to PostgreSQL unchanged.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (JSON, Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer,
                        LargeBinary, String, Text, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

APP_ID = "SES-Sistema-Estrategico-de-Seguimiento"


class DecimalText(TypeDecorator):
    """Exact decimal stored as its canonical text literal."""

    impl = String(64)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            value = Decimal(str(value)) if not isinstance(value, float) else Decimal(repr(value))
        if not value.is_finite():
            raise ValueError("valor numérico no finito")
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value)


class Base(DeclarativeBase):
    type_annotation_map = {Decimal: DecimalText()}


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


class AppMeta(Base):
    """Key/value facts about the file: marks it as an SES database."""

    __tablename__ = "app_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Organization(Base):
    __tablename__ = "organization"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(250))
    kind: Mapped[str] = mapped_column(String(20), default="municipio")  # municipio | entidad
    state_name: Mapped[str] = mapped_column(String(120), default="")
    inegi_key: Mapped[str | None] = mapped_column(String(10))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    preset_key: Mapped[str] = mapped_column(String(64), default="PRESET_A_BANDA_90_110")
    administration: Mapped[str] = mapped_column(String(40), default="")  # e.g. 2024-2027
    settings: Mapped[dict] = mapped_column(JSON, default=dict)  # signature names, etc.
    __table_args__ = (CheckConstraint("kind in ('municipio','entidad')", name="ck_org_kind"),)


class TrafficLightPreset(Base):
    __tablename__ = "traffic_light_preset"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    data: Mapped[dict] = mapped_column(JSON)


class FiscalYear(Base):
    __tablename__ = "fiscal_year"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    cutoff: Mapped[str | None] = mapped_column(String(10))  # ISO date of the last report cut-off
    __table_args__ = (CheckConstraint("year between 1990 and 2200", name="ck_fy_year"),)


class PlanElement(Base):
    """Plan de Gobierno / PMD catalog: eje → objetivo → estrategia."""

    __tablename__ = "plan_element"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("plan_element.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(40), default="")
    text: Mapped[str] = mapped_column(Text)
    order: Mapped[int] = mapped_column(Integer, default=0)
    plan_name: Mapped[str] = mapped_column(String(250), default="")
    parent: Mapped[PlanElement | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[PlanElement]] = relationship(back_populates="parent", order_by="PlanElement.order")
    __table_args__ = (CheckConstraint("kind in ('eje','objetivo','estrategia')", name="ck_plan_kind"),)


class Agency(Base):
    __tablename__ = "agency"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)  # clave, e.g. 0301
    acronym: Mapped[str] = mapped_column(String(40), default="")  # e.g. DSPM
    name: Mapped[str] = mapped_column(String(250))
    head: Mapped[str] = mapped_column(String(250), default="")  # titular
    requires_evidence: Mapped[bool] = mapped_column(Boolean, default=False)
    programs: Mapped[list[Program]] = relationship(back_populates="agency")


class Program(Base):
    __tablename__ = "program"
    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year_id: Mapped[int] = mapped_column(ForeignKey("fiscal_year.id", ondelete="RESTRICT"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="RESTRICT"))
    key: Mapped[str] = mapped_column(String(40))
    modality: Mapped[str] = mapped_column(String(4), default="")
    name: Mapped[str] = mapped_column(String(300))
    responsible: Mapped[str] = mapped_column(String(250), default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    target_population: Mapped[str] = mapped_column(Text, default="")
    preset_key: Mapped[str | None] = mapped_column(String(64))
    alignment_text: Mapped[dict] = mapped_column(JSON, default=dict)  # as received {plan, eje, objetivo, estrategia}
    plan_element_id: Mapped[int | None] = mapped_column(ForeignKey("plan_element.id", ondelete="SET NULL"))
    order: Mapped[int] = mapped_column(Integer, default=0)
    agency: Mapped[Agency | None] = relationship(back_populates="programs")
    fiscal_year: Mapped[FiscalYear] = relationship()
    objectives: Mapped[list[Objective]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="Objective.order")
    budgets: Mapped[list[Budget]] = relationship(back_populates="program", cascade="all, delete-orphan")
    projects: Mapped[list[Project]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="Project.order")
    __table_args__ = (UniqueConstraint("fiscal_year_id", "key", name="uq_program_key"),
                      Index("ix_program_agency", "agency_id"))


class Budget(Base):
    """Presupuesto aprobado / modificado / ejercido of a program for a period (month id) or the year."""

    __tablename__ = "budget"
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(10))
    approved: Mapped[Decimal | None]
    modified: Mapped[Decimal | None]
    exercised: Mapped[Decimal | None]
    program: Mapped[Program] = relationship(back_populates="budgets")
    __table_args__ = (UniqueConstraint("program_id", "period", name="uq_budget_period"),)


class Objective(Base):
    """A MIR row."""

    __tablename__ = "objective"
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("objective.id", ondelete="RESTRICT"))
    key: Mapped[str] = mapped_column(String(60))
    level: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text, default="")
    assumptions: Mapped[list] = mapped_column(JSON, default=list)
    order: Mapped[int] = mapped_column(Integer, default=0)
    program: Mapped[Program] = relationship(back_populates="objectives")
    parent: Mapped[Objective | None] = relationship(remote_side=[id])
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="objective", cascade="all, delete-orphan", order_by="Indicator.order")
    __table_args__ = (
        UniqueConstraint("program_id", "key", name="uq_objective_key"),
        CheckConstraint("level in ('FIN','PROPOSITO','COMPONENTE','ACTIVIDAD')", name="ck_objective_level"),
    )


class Indicator(Base):
    """An indicator and every ficha técnica field of DOMAIN.md §e."""

    __tablename__ = "indicator"
    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objective.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    order: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(250), default="")
    definition: Mapped[str] = mapped_column(Text, default="")
    formula_type: Mapped[str] = mapped_column(String(20), default="")
    formula: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(80), default="")
    type: Mapped[str] = mapped_column(String(20), default="")
    dimension: Mapped[str] = mapped_column(String(20), default="")
    # no CHECK on sentido/tipo/dimensión: a file with a bad value still loads and ``ses validar`` reports it
    direction: Mapped[str] = mapped_column(String(20), default="ascendente")
    frequency: Mapped[str] = mapped_column(String(20), default="mensual")
    reporting_mode: Mapped[str] = mapped_column(String(12), default="acumulado")
    baseline_value: Mapped[Decimal | None]
    baseline_year: Mapped[int | None] = mapped_column(Integer)
    baseline_period: Mapped[str | None] = mapped_column(String(10))
    baseline_note: Mapped[str] = mapped_column(Text, default="")
    baseline_unavailable: Mapped[bool] = mapped_column(Boolean, default=False)
    annual_target: Mapped[Decimal | None]
    annual_target_original: Mapped[Decimal | None]
    verification_sources: Mapped[list] = mapped_column(JSON, default=list)
    preset_key: Mapped[str | None] = mapped_column(String(64))
    disaggregation: Mapped[str] = mapped_column(Text, default="")
    geographic_coverage: Mapped[str] = mapped_column(Text, default="")
    data_availability: Mapped[str] = mapped_column(Text, default="")
    measurement_owner: Mapped[str] = mapped_column(Text, default="")
    benchmark: Mapped[str] = mapped_column(Text, default="")
    interpretation: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    natural_cap: Mapped[Decimal | None]
    base_year: Mapped[int | None] = mapped_column(Integer)
    history: Mapped[list] = mapped_column(JSON, default=list)  # [{anio, valor}]
    multi_year_targets: Mapped[list] = mapped_column(JSON, default=list)
    created_on: Mapped[str | None] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12), default="borrador")  # borrador | aprobada
    objective: Mapped[Objective] = relationship(back_populates="indicators")
    variables: Mapped[list[Variable]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="Variable.order")
    __table_args__ = (
        CheckConstraint("reporting_mode in ('acumulado','periodico')", name="ck_ind_reporting"),
    )


class Variable(Base):
    __tablename__ = "variable"
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))  # symbol in the formula
    name: Mapped[str] = mapped_column(String(250), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(80), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(12), default="valor")
    accumulation: Mapped[str] = mapped_column(String(16), default="suma")
    integer_only: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_negative: Mapped[bool] = mapped_column(Boolean, default=False)
    order: Mapped[int] = mapped_column(Integer, default=0)
    indicator: Mapped[Indicator] = relationship(back_populates="variables")
    __table_args__ = (
        UniqueConstraint("indicator_id", "key", name="uq_variable_key"),
        CheckConstraint("role in ('numerador','denominador','valor')", name="ck_var_role"),
        CheckConstraint("accumulation in ('suma','ultimo_valor','promedio_ponderado','maximo')", name="ck_var_acc"),
    )


class Target(Base):
    """Calendarized target of a variable for one period: current value and the original (approved)."""

    __tablename__ = "target"
    id: Mapped[int] = mapped_column(primary_key=True)
    variable_id: Mapped[int] = mapped_column(ForeignKey("variable.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(10))
    value: Mapped[Decimal]
    original_value: Mapped[Decimal]
    change_reason: Mapped[str] = mapped_column(Text, default="")
    changed_by: Mapped[str] = mapped_column(String(120), default="")
    changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # (variable, period, value) covers the progress read (services.documents): no table lookup per value
    __table_args__ = (UniqueConstraint("variable_id", "period", name="uq_target_period"),
                      Index("ix_target_values", "variable_id", "period", "value"))


class Measurement(Base):
    __tablename__ = "measurement"
    id: Mapped[int] = mapped_column(primary_key=True)
    variable_id: Mapped[int] = mapped_column(ForeignKey("variable.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(10))
    value: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(12), default="capturado")
    captured_by: Mapped[str] = mapped_column(String(120), default="")
    captured_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    __table_args__ = (
        UniqueConstraint("variable_id", "period", name="uq_measurement_period"),
        CheckConstraint("status in ('borrador','capturado','validado','rechazado')", name="ck_meas_status"),
        Index("ix_measurement_values", "variable_id", "period", "value"),  # covers the progress read
    )


class Justification(Base):
    __tablename__ = "justification"
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(10))
    cause: Mapped[str] = mapped_column(Text, default="")
    effect: Mapped[str] = mapped_column(Text, default="")
    other_reasons: Mapped[str] = mapped_column(Text, default="")
    improvement_actions: Mapped[str] = mapped_column(Text, default="")  # acción correctiva in the tarjeta
    # the four-part tarjeta de justificación (state profiles, issue 16): hecho, causa (``cause``),
    # acción correctiva (``improvement_actions``), proyección
    fact: Mapped[str] = mapped_column(Text, default="")
    projection: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    __table_args__ = (UniqueConstraint("indicator_id", "period", name="uq_justification_period"),
                      Index("ix_justification_indicator", "indicator_id", "period"))

    @property
    def text(self) -> str:
        parts = [self.fact, self.cause, self.effect, self.other_reasons, self.improvement_actions, self.projection]
        return " ".join(p for p in parts if p)


class Evidence(Base):
    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(255))  # path relative to the evidence folder
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    added_by: Mapped[str] = mapped_column(String(120), default="")
    added_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    __table_args__ = (Index("ix_evidence_indicator", "indicator_id", "period"),)


class PeriodState(Base):
    """Workflow state of a month for one dependencia (agency_id NULL: organization-wide)."""

    __tablename__ = "period_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(10))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12), default="capturando")
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    __table_args__ = (
        UniqueConstraint("period", "agency_id", name="uq_period_state"),
        CheckConstraint("status in ('capturando','enviado','validado','devuelto','cerrado')", name="ck_period_status"),
    )


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    full_name: Mapped[str] = mapped_column(String(250), default="")
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="SET NULL"))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    agency: Mapped[Agency | None] = relationship()
    __table_args__ = (
        CheckConstraint("role in ('capturista','validador','administrador','consulta')", name="ck_user_role"),
    )


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=_now, index=True)
    user_name: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(40), default="editar")
    entity: Mapped[str] = mapped_column(String(40))
    entity_key: Mapped[str] = mapped_column(String(120), default="")
    field: Mapped[str] = mapped_column(String(80), default="")
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    # the PC the change was made on (issue 17: on a shared server the user alone does not say where); "" in older rows
    host: Mapped[str | None] = mapped_column(String(120))
    # SHA-256 of the fields chained to the previous entry's hash (db/audit_chain.py), filled on flush
    hash: Mapped[str | None] = mapped_column(String(64))
    # the hash chain the entry belongs to (revision 0007): the writer's dependencia key, "" for the organization
    chain: Mapped[str] = mapped_column(String(40), default="", server_default="")
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_key"),)



# --- state profiles (issue 16): proyectos, metas de actividad, reconducción -------------------------------------


class Project(Base):
    """A proyecto within a Pp (Edomex: the Pp key plus a project code), run by a Dependencia Auxiliar of the
    program's Dependencia General (``Program.agency``)."""

    __tablename__ = "project"
    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))  # project code, e.g. 010304010101
    name: Mapped[str] = mapped_column(String(300))
    auxiliary_key: Mapped[str] = mapped_column(String(40), default="")  # Dependencia Auxiliar clave, e.g. 101
    auxiliary_name: Mapped[str] = mapped_column(String(250), default="")
    order: Mapped[int] = mapped_column(Integer, default=0)
    program: Mapped[Program] = relationship(back_populates="projects")
    goals: Mapped[list[ActivityGoal]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ActivityGoal.order")
    __table_args__ = (UniqueConstraint("program_id", "key", name="uq_project_key"),)


class ActivityGoal(Base):
    """A meta de actividad of a proyecto (PbRM-01c): annual target and its quarterly calendar (PbRM-02a)."""

    __tablename__ = "activity_goal"
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(20))  # the ID column of the formats: 1, 2, 3 …
    name: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(80), default="")
    annual_target: Mapped[Decimal | None]
    annual_target_original: Mapped[Decimal | None]
    order: Mapped[int] = mapped_column(Integer, default=0)
    project: Mapped[Project] = relationship(back_populates="goals")
    quarters: Mapped[list[ActivityGoalQuarter]] = relationship(
        back_populates="goal", cascade="all, delete-orphan", order_by="ActivityGoalQuarter.period")
    __table_args__ = (UniqueConstraint("project_id", "key", name="uq_activity_goal_key"),)


class ActivityGoalQuarter(Base):
    """One quarter (period id ``YYYY-T1``…``T4``) of a meta de actividad: programmed (current and as first
    approved) and achieved. The achieved value belongs to the workflow of the quarter's last month."""

    __tablename__ = "activity_goal_quarter"
    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("activity_goal.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(10))
    programmed: Mapped[Decimal | None]
    programmed_original: Mapped[Decimal | None]
    achieved: Mapped[Decimal | None]
    captured_by: Mapped[str] = mapped_column(String(120), default="")
    captured_at: Mapped[datetime | None] = mapped_column(DateTime)
    goal: Mapped[ActivityGoal] = relationship(back_populates="quarters")
    __table_args__ = (UniqueConstraint("goal_id", "period", name="uq_activity_goal_quarter"),)


class Reconduction(Base):
    """A request to change the targets of an indicator or a meta de actividad (SEGEMUN reconducción), and the
    UIPPE's decision. ``changes`` is a list of {"periodo", "anterior", "nuevo"} (texts of Decimals)."""

    __tablename__ = "reconduction"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # indicador | meta
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("activity_goal.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(10))  # quarter in which it was requested, YYYY-Tn
    reason: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="solicitada")
    requested_by: Mapped[str] = mapped_column(String(120), default="")
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    decided_by: Mapped[str] = mapped_column(String(120), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    oficio: Mapped[str] = mapped_column(String(80), default="")
    decision_note: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (
        CheckConstraint("kind in ('indicador','meta')", name="ck_reconduction_kind"),
        CheckConstraint("status in ('solicitada','autorizada','rechazada')", name="ck_reconduction_status"),
        Index("ix_reconduction_period", "period"),
    )
class AuditChainHead(Base):
    """The last entry of each bitácora chain; a writer locks only its chain's row (db/audit_chain.py)."""

    __tablename__ = "audit_chain_head"
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="")

