"""Open views follow what other officials change (issue 17, server mode).

Every change SES writes leaves a bitácora entry, so the bitácora's newest id is a change counter that costs nothing
to keep: every 1.5 s a background probe (never the UI thread: a server can be slow to answer) reads the entries
newer than the last one seen. Entries written by someone else are announced to the screens through the context's
``dataChanged`` signal, as a local change is, so they re-read what they show. While the user is typing in a field
the announcement waits, so a refresh never takes away what is being written; it is delivered at the next probe
after the field loses focus.

On a server, bitácora ids are taken when a transaction writes, not when it commits, and since the chains are
partitioned by dependencia (revision 0007) transactions of different dependencias commit in any order: an entry
with a smaller id can appear after a bigger one was read. The probe therefore remembers the ids it has not seen
below the newest one (the gaps; usually none or a few: transactions still open, or rolled back) and asks for them
again, for the next ``LOOKBACK`` ids.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QPlainTextEdit, QTextEdit

from .worker import run_task

INTERVAL_MS = 1500
MAX_ROWS = 500  # more changes than this between two probes: announce «everything changed»
LOOKBACK = 2000  # ids missing below the newest one are looked for again until this many newer ids exist
MAX_MISSING = 400  # more gaps than this: forget the oldest (a change is at worst re-read at the next one)


# a capture or a workflow step by someone else: the capture grid re-reads at once (a local capture only invalidates
# it, since the grid itself made the change)
REMOTE_RELOAD = {"measurement", "period", "justification", "evidence"}


def read_changes(db, after: int | None, missing: frozenset[int] | set[int] = frozenset()
                 ) -> tuple[int, list[tuple[str, str, str]], set[int]]:
    """(newest id, [(entity, key, user)], ids still missing) of the bitácora entries after ``after`` or among
    ``missing`` (ids below ``after`` not seen yet); ``after`` None: only the newest id."""
    from sqlalchemy import func, or_, select

    from ..db.models import AuditEntry

    with db.reading() as s:
        if after is None:
            return s.scalar(select(func.max(AuditEntry.id))) or 0, [], set()
        where = AuditEntry.id > after
        if missing:
            where = or_(where, AuditEntry.id.in_(sorted(missing)))
        rows = s.execute(select(AuditEntry.id, AuditEntry.entity, AuditEntry.entity_key, AuditEntry.user_name)
                         .where(where).order_by(AuditEntry.id).limit(MAX_ROWS + 1)).all()
    if len(rows) > MAX_ROWS:
        return max(after, rows[-1][0]), [("*", "", "")], set()
    found = {r[0] for r in rows}
    newest = max([after, *found])
    floor = newest - LOOKBACK
    still = {i for i in set(missing) | set(range(max(after, floor) + 1, newest + 1)) if i > floor} - found
    if len(still) > MAX_MISSING:
        still = set(sorted(still)[-MAX_MISSING:])
    return newest, [(e, k, u) for _id, e, k, u in rows], still


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
        self._missing: set[int] = set()  # ids below _last not seen yet (transactions that had not committed)
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
        db, after, missing = self.ctx.db, self._last, frozenset(self._missing)
        run_task(lambda _c: read_changes(db, after, missing), on_done=self._got, on_error=self._failed)

    def _failed(self, _exc, _tb) -> None:  # a lost connection: the next probe tries again; saving reports it
        self._busy = False

    def _got(self, result) -> None:
        try:
            self._take(result)
        except RuntimeError:  # the window closed while the probe ran
            pass

    def _take(self, result) -> None:
        self._busy = False
        newest, changes, self._missing = result
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
