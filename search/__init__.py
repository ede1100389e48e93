"""Kamerzoek: search."""
