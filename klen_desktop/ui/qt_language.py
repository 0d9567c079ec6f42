"""Qt's side of the app's language: Qt's own texts (the standard buttons of dialogs, a line edit's context
menu) from the ``qtbase`` catalog PySide6 ships, and the locale the date boxes and calendars name days with.

The app's own messages go through :mod:`klen_desktop.i18n` (gettext), which the Qt-free core shares; Qt's texts
are Qt's, translated by Qt's own catalog. The locale keeps the user's region (its first day of the week, its
clock) and takes the app's language, so a calendar pop-up names its days in the language of the window.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from klen_desktop.i18n import PSEUDO_LANGUAGE, SOURCE_LANGUAGE

_installed: list[QTranslator] = []  # the translator of Qt's texts now in use, to take out at a switch


def use_language_in_qt(app: QCoreApplication, language: str) -> QTranslator | None:
    """Translate Qt's own texts into ``language`` and name days in it; returns the translator installed.

    Called again (the language saved in Settings, read after the start's first texts), it replaces the last."""
    while _installed:
        app.removeTranslator(_installed.pop())
    system = QLocale.system()
    if language == PSEUDO_LANGUAGE:
        QLocale.setDefault(system)
        return None
    wanted = QLocale(language)
    same = wanted.language() == system.language()
    QLocale.setDefault(system if same else QLocale(wanted.language(), system.territory()))
    if language == SOURCE_LANGUAGE:
        return None  # Qt's texts are English already
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(wanted, "qtbase", "_", folder):
        return None  # a build without Qt's catalogs: Qt's few texts stay English, the app's are translated
    app.installTranslator(translator)
    _installed.append(translator)
    return translator


def first_day_of_week() -> int:
    """The first day of the user's week as ``date.weekday()`` counts (Monday 0, Sunday 6), from their locale:
    Sunday in the United States, Monday in Germany."""
    return QLocale().firstDayOfWeek().value - 1
