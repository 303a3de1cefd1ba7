"""``python -m ims_tui``."""

import sys

from ims_tui.cli import main

sys.exit(main())
