"""Use cases. One transaction per use case; the UI and the CLI call these, never the ORM."""

from . import guards as _guards  # noqa: E402,F401 - installs the write guard on every session (core.limits)
