"""Use cases. One transaction per use case; the UI and the CLI call these, never the ORM."""
