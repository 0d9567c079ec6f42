"""`python -m klen_desktop`: the app (see cli.py for the options)."""

import sys

from klen_desktop.cli import main

sys.exit(main())
