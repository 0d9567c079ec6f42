"""The calendar session of one connection: the Qt-free rules behind every user action."""
