"""The command line: help everywhere, readable output, JSON in the documented shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kamerzoek.cli import main
from tests.conftest import SEEDS


@pytest.mark.parametrize("command", ["index", "search", "serve"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_index_then_search_prints_citations(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["index", str(SEEDS), "--index", str(tmp_path / "ix")])
    assert done.exit_code == 0, done.output
    assert "5 documents" in done.output
    found = runner.invoke(main, ["search", "--index", str(tmp_path / "ix"), "twee procent van het BBP"])
    assert found.exit_code == 0, found.output
    assert "*twee* *procent*" in found.output or "*twee procent" in found.output
    assert "26 april 2018, p. 2-3" in found.output


def test_search_json_has_the_documented_shape(seed_index: Path) -> None:
    result = CliRunner().invoke(main, ["search", "--index", str(seed_index), "--json", "Rusland",
                                       "--limit", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["query", "read_as", "total", "page", "pages", "suggestion", "facets", "facet_sizes",
                          "results"]
    assert list(data["facets"]) == ["year", "type", "dossier", "signatory"]
    letter = data["results"][0]
    assert list(letter) == ["id", "source", "title", "type", "date", "dossier", "number", "vergaderjaar",
                            "signatories", "citation", "score", "hits", "passages"]
    assert list(letter["passages"][0]) == ["id", "n", "page", "heading", "text", "highlight", "citation",
                                           "score"]
    assert data["total"] == 5 and data["pages"] == 3


def test_search_without_index_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["search", "--index", str(tmp_path / "none"), "NAVO"])
    assert result.exit_code == 1
    assert "run `kamerzoek index" in result.output
    assert "Traceback" not in result.output


def test_index_if_missing_skips_a_usable_index(tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["index", str(SEEDS), "--index", str(tmp_path / "ix"), "--if-missing"])
    assert "5 documents" in first.output
    second = runner.invoke(main, ["index", str(SEEDS), "--index", str(tmp_path / "ix"), "--if-missing"])
    assert second.exit_code == 0 and "is ready (5 documents)" in second.output
