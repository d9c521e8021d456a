"""Bundled data files (demo municipality, icons). Installed as ``sistema_seguimiento.resources``."""
