"""Kamerzoek: index."""
