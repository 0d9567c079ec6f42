"""Klen Desktop: a tray companion for the Klen AI Calendar."""

__version__ = "0.1.0"
