"""Errors raised by services. ``str(error)`` is a Spanish message ready for the user."""
from __future__ import annotations


class ServiceError(Exception):
    """A use case could not be carried out; nothing was written."""

    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.details = details or []

    def __str__(self) -> str:
        base = super().__str__()
        if not self.details:
            return base
        return base + "\n" + "\n".join(f"  - {d}" for d in self.details)


class NotFound(ServiceError):
    pass


class PermissionDenied(ServiceError):
    pass


class ValidationFailed(ServiceError):
    pass


class ConflictError(ServiceError):
    """Another official changed what this user was editing. ``conflicts`` holds both sides (who, when)."""

    def __init__(self, message: str, conflicts: list):
        from ..core.numbers import fmt_es

        def show(v):
            return "(vacío)" if v is None else fmt_es(v)

        details = [c.describe() if hasattr(c, "describe") else  # a form field (services.conflicts)
                   f"{c.indicator_key} / {c.variable_key} / {c.period}: su valor {show(c.mine)}; en la base "
                   f"{show(c.theirs)}" + (f", guardado por {c.by}" if c.by else "")
                   + (f" el {c.at:%d/%m/%Y %H:%M}" if c.at else "") for c in conflicts]
        super().__init__(message, details)
        self.conflicts = conflicts
