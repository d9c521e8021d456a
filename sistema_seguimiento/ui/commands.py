"""Undoable edits: every edit of the window runs a service (one transaction), and only when it succeeded a
QUndoCommand goes on ``ctx.undo_stack`` holding how to undo and redo it.

``apply_edit`` is the one entry point the screens use. A failed save shows the Spanish reason, pushes
nothing and returns False (the screen keeps what the user typed; the database is unchanged).

Concurrent edits (issue 17): the helpers pass the value the screen showed as ``expected``; when another official
changed it meanwhile the service raises ``ConflictError`` and ``apply_edit`` shows ``conflicts.ask_keep_mine``:
keeping mine saves again over the stored value, taking theirs announces the entity so the screen re-reads it.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QWidget

from ..services import editing as ed
from ..services.conflicts import NOT_SEEN, last_change, refuse_if_changed
from ..services.errors import ConflictError
from .context import AppContext


THEIRS_TAKEN = "tomado de la base"  # apply_edit's result when the user took the other official's value


class ServiceCommand(QUndoCommand):
    """An edit already applied once; ``undo``/``redo`` call services again."""

    def __init__(self, ctx: AppContext, text: str, redo_fn: Callable[[], Any], undo_fn: Callable[[], Any],
                 entity: str, key: str, watch: tuple[str, str | None, str | tuple[str, ...]] | None = None):
        super().__init__(text)
        self.ctx, self.redo_fn, self.undo_fn, self.entity, self.key = ctx, redo_fn, undo_fn, entity, key
        self._applied = True
        # (bitácora entity, key, field) of the edited field: undo/redo refuse after someone else's later change
        self.watch = watch
        self._mark = last_change(ctx.db, *watch) if watch else 0

    def redo(self) -> None:
        if self._applied:  # first push: the service already ran
            return
        self._run(self.redo_fn, "rehacer")
        self._applied = True

    def undo(self) -> None:
        self._run(self.undo_fn, "deshacer")
        self._applied = False

    def _run(self, fn: Callable[[], Any], action: str) -> None:
        try:
            if self.watch:
                refuse_if_changed(self.ctx.db, *self.watch, self._mark, action, self.ctx.user.name)
            fn()
            if self.watch:
                self._mark = last_change(self.ctx.db, *self.watch)
        except Exception as exc:  # noqa: BLE001 - explained to the user; the database is unchanged
            from .messages import show_error

            show_error(self.ctx.parent() if isinstance(self.ctx.parent(), QWidget) else None, exc, action=action)
            self.setObsolete(True)
        self.ctx.notify(self.entity, self.key)


def apply_edit(ctx: AppContext, parent: QWidget | None, text: str, do: Callable[[], Any],
               undo_factory: Callable[[Any], Callable[[], Any]], entity: str, key: str = "",
               redo: Callable[[], Any] | None = None,
               keep_mine: Callable[[ConflictError], Callable[[], Any]] | None = None,
               watch: tuple[str, str | None, str | tuple[str, ...]] | None = None) -> tuple[bool, Any]:
    """Run ``do()``; on success push a command whose undo is ``undo_factory(result)``. Returns (ok, result).

    ``keep_mine(exc)`` gives the same save over the values the conflict found stored: with it a ``ConflictError``
    asks the user (keep mine / take theirs) instead of only reporting it. ``watch`` = (bitácora entity, key,
    field, or a tuple of the fields the edit writes): undo and redo are refused when that field has a later bitácora
    entry by another user than this edit's own."""
    error: Exception | None = None
    for _attempt in range(3):  # someone may save again meanwhile: the user is asked again, a few times
        try:
            result = do()
            error = None
            break
        except ConflictError as exc:
            from . import conflicts

            error = exc
            if keep_mine is None:
                break
            if not conflicts.ask_keep_mine(parent, exc):
                ctx.notify(entity, key)  # theirs: the screens re-read what is stored
                return False, THEIRS_TAKEN
            do = keep_mine(exc)  # mine: the same save over the values now stored
        except Exception as exc:  # noqa: BLE001
            error = exc
            break
    if error is not None:
        from .messages import show_error

        show_error(parent, error)
        return False, None
    ctx.undo_stack.push(ServiceCommand(ctx, text, redo or do, undo_factory(result), entity, key, watch))
    ctx.notify(entity, key)
    return True, result


# ---- helpers for the common edits ------------------------------------------------------------------

def _theirs(exc: ConflictError):
    return exc.conflicts[0].theirs


def edit_program_field(ctx, parent, key: str, field: str, value, title: str = "", expected=NOT_SEEN) -> bool:
    db, y = ctx.db, ctx.year

    def save(seen):
        return lambda: ed.update_program(db, ctx.user, y, key, field, value, expected=seen)

    ok, _ = apply_edit(ctx, parent, f"Editar {title or field} del programa {key}", save(expected),
                       lambda old: (lambda: ed.update_program(db, ctx.user, y, key, field, old)), "program", key,
                       redo=save(NOT_SEEN), keep_mine=lambda exc: save(_theirs(exc)),
                       watch=None if field == "key" else ("programa", key, field))
    return ok


def edit_indicator_field(ctx, parent, key: str, field: str, value, title: str = "", expected=NOT_SEEN) -> bool:
    db = ctx.db

    def save(seen):
        return lambda: ed.update_indicator(db, ctx.user, key, field, value, expected=seen)

    ok, _ = apply_edit(ctx, parent, f"Editar «{title or ed.INDICATOR_FIELDS.get(field, field)}» de {key}",
                       save(expected),
                       lambda old: (lambda: ed.update_indicator(db, ctx.user, key, field, old)), "indicator", key,
                       redo=save(NOT_SEEN), keep_mine=lambda exc: save(_theirs(exc)),
                       watch=None if field == "key" else ("indicador", key, field))
    return ok


def edit_objective_field(ctx, parent, program: str, key: str, field: str, value, expected=NOT_SEEN) -> bool:
    db, y = ctx.db, ctx.year
    what = "resumen narrativo" if field == "text" else "supuestos"

    def save(seen):
        return lambda: ed.update_objective(db, ctx.user, y, program, key, field, value, expected=seen)

    ok, _ = apply_edit(ctx, parent, f"Editar {what} de {key}", save(expected),
                       lambda old: (lambda: ed.update_objective(db, ctx.user, y, program, key, field, old)),
                       "program", program, redo=save(NOT_SEEN), keep_mine=lambda exc: save(_theirs(exc)),
                       watch=("objetivo", key, field))
    return ok


def edit_variable_field(ctx, parent, indicator: str, var: str, field: str, value, expected=NOT_SEEN) -> bool:
    db = ctx.db
    new_key = value if field == "key" else var

    def undo_factory(old):
        return lambda: ed.update_variable(db, ctx.user, indicator, new_key, field, old)

    def save(seen):
        return lambda: ed.update_variable(db, ctx.user, indicator, var, field, value, expected=seen)

    ok, _ = apply_edit(ctx, parent, f"Editar variable {var} de {indicator}", save(expected),
                       undo_factory, "indicator", indicator, redo=save(NOT_SEEN),
                       keep_mine=lambda exc: save(_theirs(exc)),
                       watch=None if field == "key" else ("variable", f"{indicator}/{var}", field))
    return ok


def set_target(ctx, parent, indicator: str, var: str, period: str, value, reason: str = "",
               expected=NOT_SEEN) -> bool:
    db = ctx.db

    def undo_factory(old):
        return lambda: ed.set_target(db, ctx.user, indicator, var, period, old,
                                     reason=f"Deshacer: {reason}" if reason else "")

    def save(seen):
        return lambda: ed.set_target(db, ctx.user, indicator, var, period, value, reason=reason, expected=seen)

    ok, _ = apply_edit(ctx, parent, f"Meta de {var} en {period}", save(expected), undo_factory, "indicator",
                       indicator, redo=save(NOT_SEEN), keep_mine=lambda exc: save(_theirs(exc)),
                       watch=("meta", f"{indicator}/{var}/{period}", "valor"))
    return ok


def create_with_key(ctx, parent, text: str, create: Callable[[str | None], str], delete: Callable[[str], Any],
                    entity: str, key_hint: str = "") -> str | None:
    """Creation whose redo re-creates the same key and whose undo deletes it."""
    state: dict[str, Any] = {}

    def do():
        state["key"] = create(state.get("key"))
        return state["key"]

    ok, key = apply_edit(ctx, parent, text, do, lambda k: (lambda: delete(k)), entity, key_hint)
    return key if ok else None


def delete_with_snapshot(ctx, parent, text: str, delete: Callable[[], dict], restore: Callable[[dict], Any],
                         entity: str, key: str = "") -> bool:
    state: dict[str, Any] = {}

    def do():
        state["snap"] = delete()
        return state["snap"]

    ok, _ = apply_edit(ctx, parent, text, do, lambda snap: (lambda: restore(state["snap"])), entity, key)
    return ok
