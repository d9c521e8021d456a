"""Console executable of the bundle: ``ses`` (every subcommand; no subcommand opens the window)."""
import sys

from sistema_seguimiento.launcher import console_main

sys.exit(console_main())
