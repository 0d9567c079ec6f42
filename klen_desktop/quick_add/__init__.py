"""Quick add: one sentence in plain words ("Demo for Acme Fri 10:00-11:00 at Office") read into a draft event,
shown to the user before anything is saved. Qt-free: the tray's window, the agenda's box and the command line
all use it."""

from klen_desktop.quick_add.parser import parse_quick_add
from klen_desktop.quick_add.result import QuickAdd, preview_lines

__all__ = ["QuickAdd", "parse_quick_add", "preview_lines"]
