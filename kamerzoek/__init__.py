"""Kamerzoek: kamerzoek."""
