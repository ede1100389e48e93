"""Shared fixtures: the seed letters, and a real index of them on disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from index.build import build
from index.clean import Cleaned, clean
from index.records import RawDocument
from search.engine import Engine

# No per-example deadline: timing belongs to the benchmark, not to tests (a loaded machine made
# examples "too slow"). In CI the examples are derandomized, so a run can be reproduced exactly.
settings.register_profile("kamerzoek", deadline=None, derandomize=os.environ.get("CI") == "true")
settings.load_profile("kamerzoek")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"

SEED = {
    "000": SEEDS / "000_d8f6cabdd175af6c.txt",
    "001": SEEDS / "001_81aa598f4595d479.txt",
    "002": SEEDS / "002_c499737f92fb39c0.txt",
    "003": SEEDS / "003_693843c5837e85b5.txt",
    "004": SEEDS / "004_167e56d14b466090.txt",
}


def raw_seed(key: str) -> RawDocument:
    path = SEED[key]
    return RawDocument(source=str(path), format="pdftext", text=path.read_text("utf-8"),
                       name_hint=path.stem)


def cleaned_seed(key: str) -> Cleaned:
    return clean(raw_seed(key))


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("index")
    build([str(SEEDS)], folder, workers=1)
    return folder


@pytest.fixture(scope="session")
def engine(seed_index: Path) -> Engine:
    return Engine(seed_index)


# -- the web app (tests/test_web_*.py) ------------------------------------------------------


@pytest.fixture(scope="session")
def app(seed_index: Path):
    """The web app on the seed index, shared by the web tests (they only read)."""
    from web import create_app

    return create_app({"INDEX": str(seed_index), "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()
