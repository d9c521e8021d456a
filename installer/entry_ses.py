"""Console executable of the bundle: ``ses`` (every subcommand; no subcommand opens the window). On Linux the
windowed ``SES`` is a symbolic link to this executable: started under that name it behaves as ``entry_SES.py``."""
import os
import sys

from sistema_seguimiento.launcher import console_main, gui_main

sys.exit(gui_main() if os.path.basename(sys.argv[0]) == "SES" else console_main())
