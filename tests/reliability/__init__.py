"""Helpers of the reliability tests: generated corpora, child processes, index snapshots."""
