"""Klen Calendar API: typed models, typed errors and an async client. No Qt, no disk."""
