"""System-wide keyboard shortcuts: a key combination that runs an action of the app wherever the focus is.

Qt-free. :mod:`.base` states the interface every backend keeps and the results they give; :mod:`.keys` reads
the key combinations the settings hold; one module per platform does the grabbing (:mod:`.x11`, :mod:`.portal`
for Wayland desktops through the freedesktop portal, :mod:`.windows`, :mod:`.macos`), and :mod:`.chooser` picks
the one that fits the running session.
"""
