"""How the app was asked to start: the options the command line (or a test) hands to the launch."""

from __future__ import annotations

from klen_desktop.records import record

DEFAULT_BASE_URL = "https://api.klen.ai"


@record
class AppOptions:
    demo: bool = False
    base_url: str = DEFAULT_BASE_URL
    smoke: bool = False
    # Tests run several apps in one process; a real launch always takes part in the single-instance check.
    single_instance: bool = True
