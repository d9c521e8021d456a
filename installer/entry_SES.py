"""Windowed executable of the bundle: ``SES [FILE]`` opens the window (no console on Windows)."""
import sys

from sistema_seguimiento.launcher import gui_main

sys.exit(gui_main())
