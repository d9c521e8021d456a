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
