"""Long work off the UI thread: a QRunnable with progress and cancel, and a helper that shows a
Spanish progress dialog while it runs."""
from __future__ import annotations

import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget


class Cancelled(Exception):
    """Raised inside a task when the user pressed «Cancelar»."""


class TaskSignals(QObject):
    progress = Signal(int, str)  # percent 0..100, message
    finished = Signal(object)  # result
    failed = Signal(object, str)  # exception, traceback text
    cancelled = Signal()


class TaskControl:
    """Passed to the task function: report progress, check for cancellation."""

    def __init__(self, signals: TaskSignals):
        self._signals = signals
        self.cancel_requested = False

    def progress(self, percent: int, message: str = "") -> None:
        if self.cancel_requested:
            raise Cancelled()
        self._signals.progress.emit(int(percent), message)

    def check(self) -> None:
        if self.cancel_requested:
            raise Cancelled()


class Task(QRunnable):
    def __init__(self, fn: Callable[[TaskControl], Any]):
        super().__init__()
        self.fn = fn
        self.signals = TaskSignals()
        self.control = TaskControl(self.signals)
        self.setAutoDelete(False)

    @Slot()
    def run(self) -> None:
        try:
            result = self.fn(self.control)
        except Cancelled:
            self.signals.cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - reported to the UI thread
            self.signals.failed.emit(exc, traceback.format_exc())
        else:
            self.signals.finished.emit(result)


_RUNNING: set[Task] = set()


def run_task(fn: Callable[[TaskControl], Any], *, on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[BaseException, str], None] | None = None,
             on_cancel: Callable[[], None] | None = None, parent: QWidget | None = None,
             title: str | None = None, label: str = "Procesando…") -> Task:
    """Run ``fn(control)`` in the global QThreadPool. With ``title``, show a modal progress dialog with
    «Cancelar». Callbacks run on the UI thread."""
    task = Task(fn)
    _RUNNING.add(task)
    dialog = None
    if title is not None:
        dialog = QProgressDialog(label, "Cancelar", 0, 100, parent)
        dialog.setWindowTitle(title)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(lambda: setattr(task.control, "cancel_requested", True))

        def _progress(p: int, msg: str) -> None:
            dialog.setValue(p)
            if msg:
                dialog.setLabelText(msg)

        task.signals.progress.connect(_progress)

    def _cleanup() -> None:
        _RUNNING.discard(task)
        if dialog is not None:
            dialog.reset()
            dialog.close()
            dialog.deleteLater()

    def _done(result) -> None:
        _cleanup()
        if on_done:
            on_done(result)

    def _failed(exc, tb) -> None:
        _cleanup()
        if on_error:
            on_error(exc, tb)
        else:
            from .messages import show_error

            show_error(parent, exc, tb, action=title or "procesar")

    def _cancelled() -> None:
        _cleanup()
        if on_cancel:
            on_cancel()

    task.signals.finished.connect(_done)
    task.signals.failed.connect(_failed)
    task.signals.cancelled.connect(_cancelled)
    QThreadPool.globalInstance().start(task)
    return task


def wait_all(timeout_ms: int = 30_000) -> bool:
    """For tests and shutdown: wait for running tasks."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
