"""Entry script of the PyInstaller bundle: the same as the installed ``zcrm-editor`` command."""

import sys

from gui.app import main

if __name__ == "__main__":
    sys.exit(main())
