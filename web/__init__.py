"""Kamerzoek: web."""
