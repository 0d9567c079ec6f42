"""The agenda window: a model/view list of events by local day, filters, banners and a detail pane.

Import this package on first use (it pulls in the window's widgets); ``AgendaWindow`` is its entry point.
"""

from klen_desktop.ui.agenda.window import AgendaWindow

__all__ = ["AgendaWindow"]
