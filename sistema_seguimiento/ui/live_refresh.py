"""Open views follow what other officials change (issue 17, server mode).

Every change SES writes leaves a bitácora entry, so the bitácora's newest id is a change counter that costs nothing
to keep: every 1.5 s a background probe (never the UI thread: a server can be slow to answer) reads the entries
newer than the last one seen. Entries written by someone else are announced to the screens through the context's
``dataChanged`` signal, as a local change is, so they re-read what they show. While the user is typing in a field
the announcement waits, so a refresh never takes away what is being written; it is delivered at the next probe
after the field loses focus.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QPlainTextEdit, QTextEdit

from .worker import run_task

INTERVAL_MS = 1500
MAX_ROWS = 500  # more changes than this between two probes: announce «everything changed»


# a capture or a workflow step by someone else: the capture grid re-reads at once (a local capture only invalidates
# it, since the grid itself made the change)
REMOTE_RELOAD = {"measurement", "period", "justification", "evidence"}


def read_changes(db, after: int | None) -> tuple[int, list[tuple[str, str, str]]]:
    """(newest id, [(entity, key, user)]) of the bitácora entries after ``after`` (None: only the newest id)."""
    from sqlalchemy import func, select

    from ..db.models import AuditEntry

    with db.reading() as s:
        if after is None:
            return s.scalar(select(func.max(AuditEntry.id))) or 0, []
        rows = s.execute(select(AuditEntry.id, AuditEntry.entity, AuditEntry.entity_key, AuditEntry.user_name)
                         .where(AuditEntry.id > after).order_by(AuditEntry.id).limit(MAX_ROWS + 1)).all()
    if not rows:
        return after, []
    if len(rows) > MAX_ROWS:
        return rows[-1][0], [("*", "", "")]
    return rows[-1][0], [(e, k, u) for _id, e, k, u in rows]


def user_is_typing() -> bool:
    w = QApplication.focusWidget()
    return isinstance(w, (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox))


class ChangeWatcher(QObject):
    """Polls the bitácora of ``ctx.db`` and re-announces other officials' changes on ``ctx.dataChanged``."""

    delivered = Signal(int)  # number of entities announced (for tests and the status bar)

    def __init__(self, ctx, parent: QObject | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.ctx = ctx
        self._last: int | None = None
        self._busy = False
        self._pending: dict[tuple[str, str], None] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.probe)
        self.timer.start()
        self.probe()

    def stop(self) -> None:
        self.timer.stop()

    def probe(self) -> None:
        if self._busy:
            return
        self._busy = True
        db, after = self.ctx.db, self._last
        run_task(lambda _c: read_changes(db, after), on_done=self._got, on_error=self._failed)

    def _failed(self, _exc, _tb) -> None:  # a lost connection: the next probe tries again; saving reports it
        self._busy = False

    def _got(self, result) -> None:
        try:
            self._take(result)
        except RuntimeError:  # the window closed while the probe ran
            pass

    def _take(self, result) -> None:
        self._busy = False
        newest, changes = result
        first = self._last is None
        self._last = newest
        if first:
            return
        me = self.ctx.user.name
        for entity, key, user in changes:
            if user != me:
                self._pending[(entity, key)] = None
        self.deliver()

    def deliver(self) -> None:
        if not self._pending or user_is_typing():
            return
        pending, self._pending = list(self._pending), {}
        entities = {e for e, _ in pending}
        if "*" in entities or len(pending) > 50:
            self.ctx.notify("*", "")
        else:
            for entity, key in pending:
                self.ctx.notify(entity, key)
            if entities & REMOTE_RELOAD:
                self.ctx.notify("remoto", "")  # screens that only invalidate on local captures re-read now
        self.delivered.emit(len(pending))


def attach(ctx, window) -> ChangeWatcher | None:
    """Watch for other officials' changes where there can be any: a server, or a file opened read-only because
    another window holds it."""
    if ctx.db.path is not None and not ctx.db.read_only:
        return None
    return ChangeWatcher(ctx, window)
