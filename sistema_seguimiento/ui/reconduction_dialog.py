"""Captura → Reconducción de metas… and Captura → Entregar trimestre… (issue 16).

The reconducción dialog lists the requests, lets a capturista (of the dependencia), validador or administrador ask
for a change of an indicator's or a meta de actividad's targets (only periods not yet ended are offered), and lets
the UIPPE (administrador or validador) authorise — with its oficio number — or reject — with a note. The quarter
delivery dialog shows, per dependencia, whether a quarter was delivered and delivers it (closing its validated
months). The services hold every rule; this module only shows their Spanish messages.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPlainTextEdit, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout)

from ..core import business_days as bd
from ..core import periods
from ..core.numbers import fmt_es
from ..core.types import Role, label
from ..services import quarter_delivery as qd
from ..services import reconduction as rc
from ..services.errors import ServiceError
from .context import AppContext

TEXT = {
    "title": "Reconducción de metas",
    "intro": "Solicite el cambio de metas a más tardar el último día hábil del trimestre ({deadline}); la UIPPE "
             "resuelve hasta el quinto día hábil después del cierre ({decision}). Solo cambian los periodos que no "
             "han terminado.",
    "requests": "Solicitudes",
    "headers": ["N.º", "Estado", "Tipo", "Clave", "Dependencia", "Trimestre", "Cambios", "Solicitó", "Resolución"],
    "new": "Nueva solicitud",
    "kind": "Tipo:", "kind_ind": "Indicador", "kind_goal": "Meta de actividad",
    "key": "Clave:", "key_tip": "Clave del indicador, o PROYECTO/ID de la meta de actividad (p. ej. 010304010101/1)",
    "load": "Mostrar metas",
    "target_headers": ["Variable", "Periodo", "Meta actual", "Nueva meta"],
    "reason": "Justificación:",
    "request": "Solicitar reconducción",
    "decision": "Resolución de la UIPPE (solicitud seleccionada)",
    "oficio": "Oficio:", "note": "Nota:",
    "authorize": "Autorizar", "reject": "Rechazar",
    "close": "Cerrar",
    "none_selected": "Seleccione una solicitud de la lista.",
    "no_change": "Escriba al menos una nueva meta en la tabla.",
    "bad_number": "Nueva meta de {what}: «{text}» no es un número.",
    "requested": "Solicitud {id} registrada; las metas cambian cuando la UIPPE la autorice.",
    "authorized": "Solicitud {id} autorizada (oficio {oficio}); las metas cambiaron.",
    "rejected": "Solicitud {id} rechazada.",
    "decided": "{by}, {at}{oficio}",
    "annual": "anual",
    # quarter delivery
    "q_title": "Entrega del trimestre",
    "q_intro": "Al entregar el trimestre sus meses (todos validados) se cierran y quedan bloqueados; la entrega "
               "queda en la bitácora. Para corregir después, reabra el mes (Captura → Reabrir) con motivo.",
    "quarter": "Trimestre:", "agency": "Dependencia:", "all": "Todas",
    "formats": "Formatos entregados:", "formats_tip": "Opcional, separados por comas (p. ej. pbrm-08b, tarjeta)",
    "q_headers": ["Dependencia", "Estado", "Meses", "Entregó"],
    "deliver": "Entregar trimestre",
    "delivered": "{quarter}: entregado ({n} dependencia(s)).",
}


def _item(text, data=None) -> QTableWidgetItem:
    it = QTableWidgetItem(str(text))
    it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if data is not None:
        it.setData(Qt.ItemDataRole.UserRole, data)
    return it


class ReconductionDialog(QDialog):
    def __init__(self, ctx: AppContext, parent=None, today: date | None = None):
        super().__init__(parent)
        self.ctx, self.today = ctx, today
        self.setWindowTitle(TEXT["title"])
        day = today or date.today()
        dl = rc.deadlines(rc.quarter_id(*bd.quarter_of(day)))
        lay = QVBoxLayout(self)
        intro = QLabel(TEXT["intro"].format(deadline=bd.fmt_date(dl.request), decision=bd.fmt_date(dl.decision)))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        lay.addWidget(QLabel(TEXT["requests"]))
        self.table = QTableWidget(0, len(TEXT["headers"]), self)
        self.table.setHorizontalHeaderLabels(TEXT["headers"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table, 2)

        writer = not ctx.read_only
        box = QGroupBox(TEXT["new"], self)
        form = QFormLayout(box)
        row = QHBoxLayout()
        self.kind = QComboBox(box)
        self.kind.addItem(TEXT["kind_ind"], "indicador")
        self.kind.addItem(TEXT["kind_goal"], "meta")
        self.key = QLineEdit(box)
        self.key.setToolTip(TEXT["key_tip"])
        self.key.setPlaceholderText(TEXT["key_tip"])
        self.load_btn = QPushButton(TEXT["load"], box)
        self.load_btn.clicked.connect(self.load_targets)
        self.key.returnPressed.connect(self.load_targets)
        row.addWidget(self.kind)
        row.addWidget(self.key, 1)
        row.addWidget(self.load_btn)
        form.addRow(TEXT["kind"], row)
        self.targets = QTableWidget(0, 4, box)
        self.targets.setHorizontalHeaderLabels(TEXT["target_headers"])
        self.targets.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        form.addRow(self.targets)
        self.reason = QPlainTextEdit(box)
        self.reason.setMaximumHeight(70)
        form.addRow(TEXT["reason"], self.reason)
        self.request_btn = QPushButton(TEXT["request"], box)
        self.request_btn.clicked.connect(self.submit)
        form.addRow(self.request_btn)
        box.setEnabled(writer)
        lay.addWidget(box, 2)

        dec = QGroupBox(TEXT["decision"], self)
        drow = QHBoxLayout(dec)
        self.oficio = QLineEdit(dec)
        self.note = QLineEdit(dec)
        self.authorize_btn = QPushButton(TEXT["authorize"], dec)
        self.reject_btn = QPushButton(TEXT["reject"], dec)
        self.authorize_btn.clicked.connect(lambda: self.decide(True))
        self.reject_btn.clicked.connect(lambda: self.decide(False))
        for w in (QLabel(TEXT["oficio"]), self.oficio, QLabel(TEXT["note"]), self.note, self.authorize_btn,
                  self.reject_btn):
            drow.addWidget(w)
        dec.setEnabled(writer and ctx.user.role in rc.UIPPE)
        lay.addWidget(dec)

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        buttons = QDialogButtonBox(self)
        buttons.addButton(TEXT["close"], QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.refresh()
        self.resize(900, 640)

    # ---- list ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        agency = self.ctx.user.agency_key if self.ctx.user.role == Role.CAPTURISTA.value else None
        self.rows = rc.list_requests(self.ctx.db, agency_key=agency)
        self.table.setRowCount(len(self.rows))
        for r, info in enumerate(self.rows):
            decided = ""
            if info.decided_by:
                decided = TEXT["decided"].format(by=info.decided_by, at=info.decided_at.strftime("%d/%m/%Y"),
                                                 oficio=f", oficio {info.oficio}" if info.oficio else "")
                if info.decision_note:
                    decided += f" — {info.decision_note}"
            values = [info.id, info.status.capitalize(), TEXT["kind_ind"] if info.kind == "indicador" else
                      TEXT["kind_goal"], info.key, info.agency_key or "—", periods.label(info.period),
                      rc.changes_text(info.changes), info.requested_by, decided]
            for c, v in enumerate(values):
                self.table.setItem(r, c, _item(v, info.id if c == 0 else None))
        self.table.resizeColumnsToContents()

    def selected_id(self) -> int | None:
        row = self.table.currentRow()
        return self.rows[row].id if 0 <= row < len(self.rows) else None

    # ---- request -------------------------------------------------------------------------------
    def load_targets(self) -> bool:
        try:
            _name, rows = rc.changeable_targets(self.ctx.db, self.kind.currentData(), self.key.text().strip(),
                                                today=self.today)
        except ServiceError as exc:
            self._say(str(exc), error=True)
            return False
        self.targets.setRowCount(len(rows))
        for r, t in enumerate(rows):
            self.targets.setItem(r, 0, _item(t.variable or "—", t.variable))
            per = t.period if "-" in t.period else f"{t.period} ({TEXT['annual']})"
            self.targets.setItem(r, 1, _item(per, t.period))
            self.targets.setItem(r, 2, _item(fmt_es(t.value) if t.value is not None else "—"))
            self.targets.setItem(r, 3, QTableWidgetItem(""))
        self._say("")
        return True

    def changes(self) -> list[rc.TargetChange]:
        out = []
        for r in range(self.targets.rowCount()):
            new = self.targets.item(r, 3)
            text = new.text().strip() if new else ""
            if not text:
                continue
            out.append(rc.TargetChange(self.targets.item(r, 1).data(Qt.ItemDataRole.UserRole), text,
                                       self.targets.item(r, 0).data(Qt.ItemDataRole.UserRole)))
        return out

    def submit(self) -> bool:
        changes = self.changes()
        if not changes:
            self._say(TEXT["no_change"], error=True)
            return False
        try:
            info = rc.request(self.ctx.db, self.ctx.user, self.kind.currentData(), self.key.text().strip(), changes,
                              self.reason.toPlainText(), today=self.today)
        except ServiceError as exc:
            self._say(str(exc), error=True, details=getattr(exc, "details", None))
            return False
        self.ctx.notify("reconduccion", str(info.id))
        self.reason.clear()
        self.targets.setRowCount(0)
        self.refresh()
        self._say(TEXT["requested"].format(id=info.id))
        return True

    # ---- decision ------------------------------------------------------------------------------
    def decide(self, authorize: bool) -> bool:
        rec_id = self.selected_id()
        if rec_id is None:
            self._say(TEXT["none_selected"], error=True)
            return False
        try:
            if authorize:
                info = rc.authorize(self.ctx.db, self.ctx.user, rec_id, oficio=self.oficio.text(),
                                    note=self.note.text(), today=self.today)
            else:
                info = rc.reject(self.ctx.db, self.ctx.user, rec_id, note=self.note.text(),
                                 oficio=self.oficio.text(), today=self.today)
        except ServiceError as exc:
            self._say(str(exc), error=True)
            return False
        if authorize:
            self.ctx.notify("target", info.key)
        self.ctx.notify("reconduccion", str(info.id))
        self.oficio.clear()
        self.note.clear()
        self.refresh()
        self._say(TEXT["authorized" if authorize else "rejected"].format(id=info.id, oficio=info.oficio))
        return True

    def _say(self, text: str, error: bool = False, details=None) -> None:
        if details:
            text += "\n" + "\n".join(f"• {d}" for d in details[:10])
        self.message.setStyleSheet("color: #a00000;" if error else "")
        self.message.setText(text)


class QuarterDeliveryDialog(QDialog):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(TEXT["q_title"])
        lay = QVBoxLayout(self)
        intro = QLabel(TEXT["q_intro"])
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.quarter = QComboBox(self)
        year, month, _ = periods.parse(ctx.month)
        for n in range(1, 5):
            q = f"{ctx.year}-T{n}"
            self.quarter.addItem(periods.label(q), q)
        if year == ctx.year:
            self.quarter.setCurrentIndex((month - 1) // 3)
        self.agency = QComboBox(self)
        self.agency.addItem(TEXT["all"], None)
        self.formats = QLineEdit(self)
        self.formats.setPlaceholderText(TEXT["formats_tip"])
        form.addRow(TEXT["quarter"], self.quarter)
        form.addRow(TEXT["agency"], self.agency)
        form.addRow(TEXT["formats"], self.formats)
        lay.addLayout(form)
        self.table = QTableWidget(0, len(TEXT["q_headers"]), self)
        self.table.setHorizontalHeaderLabels(TEXT["q_headers"])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table, 1)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        buttons = QDialogButtonBox(self)
        self.deliver_btn = buttons.addButton(TEXT["deliver"], QDialogButtonBox.ButtonRole.ActionRole)
        self.deliver_btn.clicked.connect(self.deliver)
        self.deliver_btn.setEnabled(not ctx.read_only and ctx.user.role == Role.ADMINISTRADOR.value)
        buttons.addButton(TEXT["close"], QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.quarter.currentIndexChanged.connect(self.refresh)
        self.refresh()
        for st in self.states:
            self.agency.addItem(st.agency_key, st.agency_key)
        self.resize(720, 420)

    def refresh(self) -> None:
        self.states = qd.status(self.ctx.db, self.quarter.currentData())
        self.table.setRowCount(len(self.states))
        for r, st in enumerate(self.states):
            months = ", ".join(f"{periods.label(m).split()[0]}: {label(s)}" for m, s in st.months.items())
            by = f"{st.delivered_by}, {st.delivered_at:%d/%m/%Y %H:%M}" if st.delivered_at else ""
            for c, v in enumerate((st.agency_key, st.state_label, months, by)):
                self.table.setItem(r, c, _item(v))
        self.table.resizeColumnsToContents()

    def deliver(self) -> bool:
        quarter = self.quarter.currentData()
        formats = [f for f in self.formats.text().split(",") if f.strip()]
        try:
            got = qd.deliver(self.ctx.db, self.ctx.user, quarter, self.agency.currentData(), formats)
        except ServiceError as exc:
            details = "\n".join(f"• {d}" for d in getattr(exc, "details", [])[:10])
            self.message.setStyleSheet("color: #a00000;")
            self.message.setText(str(exc) + ("\n" + details if details else ""))
            return False
        for m in periods.months_of(quarter):
            self.ctx.notify("period", m)
        self.refresh()
        self.message.setStyleSheet("")
        self.message.setText(TEXT["delivered"].format(quarter=periods.label(quarter), n=len(got)))
        return True


def _reconduction(ctx: AppContext, window) -> None:
    ReconductionDialog(ctx, window).exec()


def _delivery(ctx: AppContext, window) -> None:
    QuarterDeliveryDialog(ctx, window).exec()


def _register() -> None:
    from .registry import ActionSpec, register_action

    register_action(ActionSpec(menu="Captura", text="Reconducción de &metas…", callback=_reconduction, order=45))
    register_action(ActionSpec(menu="Captura", text="Entregar &trimestre…", callback=_delivery, order=46))


_register()
