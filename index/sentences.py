"""Dutch sentence boundaries with NLTK's Punkt, using abbreviations kept in index/data (no downloads)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer


@lru_cache(maxsize=1)
def _tokenizer() -> PunktSentenceTokenizer:
    text = resources.files("index").joinpath("data/abbreviations_nl.txt").read_text("utf-8")
    params = PunktParameters()
    params.abbrev_types = {
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    }
    return PunktSentenceTokenizer(params)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text``."""
    return list(_tokenizer().span_tokenize(text))
