"""`python -m klen_desktop`: the app (see cli.py for the options); ``--key-helper`` alone is the keyring's helper
process (klen_desktop/key_helper.py), answered before the command line or anything else of the app is loaded."""

import sys

from klen_desktop.key_helper import HELPER_FLAG, serve

if sys.argv[1:] == [HELPER_FLAG]:
    sys.exit(serve())

from klen_desktop.cli import main  # after the helper's exit: the helper must not load the app's modules

sys.exit(main())
