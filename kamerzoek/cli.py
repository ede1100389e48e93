"""The `kamerzoek` command line: index a folder of parliamentary papers, search it, serve it."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path

import click

from index.errors import KamerzoekError

DEFAULT_INDEX = "var/index"
PROCESSES = min(4, len(os.sched_getaffinity(0)))  # `kamerzoek serve`: one per core, at most four


def _index_dir(value: str | None) -> Path:
    return Path(value or os.environ.get("KAMERZOEK_INDEX") or DEFAULT_INDEX)


index_option = click.option(
    "--index", "index_dir", metavar="DIR", default=None,
    help=f"Index folder (default: $KAMERZOEK_INDEX or {DEFAULT_INDEX}).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Kamerzoek: full-text search for Dutch parliamentary papers (Kamerbrieven, Kamerstukken).

    \b
    Example:
      kamerzoek index seeds/
      kamerzoek search "twee procent van het BBP"
      kamerzoek serve
    """


@main.command("index")
@click.argument("sources", nargs=-1, type=click.Path())
@index_option
@click.option("--wait", default=0.0, metavar="SECONDS",
              help="When another run is writing the index, wait this long for it.")
@click.option("--workers", type=int, default=None, help="Worker processes (default: one per core).")
@click.option("--if-missing", is_flag=True,
              help="Do nothing when a usable index exists already (used by `make run`).")
def index_command(sources: tuple[str, ...], index_dir: str | None, wait: float,
                  workers: int | None, if_missing: bool) -> None:
    """Index files and folders (default: seeds/). Runs again only process what changed.

    \b
    Reads .txt (PDF-extracted text), .md, .pdf, .xml and .html from
    officielebekendmakingen.nl, and .jsonl ({"url", "text"} per line).
    Files that cannot be read are skipped and listed with their reason.

    \b
    Example:
      kamerzoek index seeds/ ../shared/corpus/ob-xml-moties --index var/index
    """
    from index.build import build, read_manifest
    from index.schema import SCHEMA_VERSION

    folder = _index_dir(index_dir)
    if if_missing and read_manifest(folder).get("schema_version") == SCHEMA_VERSION:
        click.echo(f"Index at {folder} is ready ({read_manifest(folder).get('letters', '?')} documents).")
        return
    todo = list(sources) or ["seeds/"]
    bar_state: dict[str, object] = {}

    def progress(done: int, total: int) -> None:
        if total < 200 or not sys.stderr.isatty():
            return
        bar = bar_state.get("bar")
        if bar is None:
            bar = click.progressbar(length=total, label="Indexeren", file=sys.stderr)
            bar.__enter__()
            bar_state["bar"] = bar
        bar.update(1)  # type: ignore[attr-defined]

    try:
        summary = build(todo, folder, progress=progress, wait=wait, workers=workers)
    except KamerzoekError as error:
        raise click.ClickException(str(error)) from None
    finally:
        if "bar" in bar_state:
            bar_state["bar"].__exit__(None, None, None)  # type: ignore[attr-defined]
    click.echo(
        f"{summary.total_letters} documents in {folder} "
        f"({summary.added} new, {summary.updated} changed, {summary.removed} removed, "
        f"{summary.unchanged} unchanged); wrote {summary.letters} documents, "
        f"{summary.passages} passages in {summary.seconds:.1f} s."
    )
    for source, note in summary.notes:
        click.echo(f"  {source}: {note}")
    if summary.skipped:
        click.echo(f"Skipped {len(summary.skipped)}:")
        for source, reason in summary.skipped:
            click.echo(f"  {source}: {reason}")


@main.command("search")
@click.argument("query", nargs=-1)
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON (as /api/search).")
@click.option("--limit", default=10, show_default=True, help="Letters per page.")
@click.option("--page", default=1, show_default=True)
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance",
              show_default=True)
@click.option("--year", help="Year or range: 2017, 2016..2018.")
@click.option("--type", "doctype", help="Document type: brief, motie, ...")
@click.option("--dossier", help="Dossier number: 28676 or '28 676'.")
@click.option("--passages", default=3, show_default=True, help="Best passages shown per letter.")
@click.option("--explain", is_flag=True, help="Show which forms of the query words matched.")
def search_command(query: tuple[str, ...], index_dir: str | None, as_json: bool, limit: int,
                   page: int, sort: str, year: str | None, doctype: str | None,
                   dossier: str | None, passages: int, explain: bool) -> None:
    """Search the index; matched words are emphasised and every passage is cited.

    \b
    Query language: words (all must match), "a phrase", OR / OF, NOT / NIET / -word,
    prefix*, (parentheses), jaar:2017, type:motie, dossier:28676, ondertekenaar:Ollongren.
    A Kamerstuk reference ("28 676, nr. 418") puts that document first.

    \b
    Example:
      kamerzoek search '"twee procent van het BBP"'
      kamerzoek search Rusland --sort newest --json
    """
    from search.engine import Engine
    from search.results import SearchRequest

    try:
        engine = Engine(_index_dir(index_dir))
        result = engine.search(SearchRequest(q=" ".join(query), page=page, limit=limit, sort=sort,
                                             year=year, doctype=doctype, dossier=dossier,
                                             passages=passages, explain=explain))
    except KamerzoekError as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    _print_result(result, explain)


def _print_result(result: object, explain: bool) -> None:
    from search.results import SearchResult
    from search.snippets import terminal_excerpt

    assert isinstance(result, SearchResult)
    noun = "document" if result.total == 1 else "documenten"
    click.echo(click.style(f"{result.total} {noun}", bold=True)
               + f" · gelezen als: {result.read_as or '(niets)'}"
               + (f" · pagina {result.page} van {result.pages}" if result.pages > 1 else ""))
    if result.suggestion:
        click.echo(f"Bedoelde u: {result.suggestion}?")
    for rank, hit in enumerate(result.results, start=(result.page - 1) * result.limit + 1):
        click.echo()
        facts = " · ".join(x for x in [hit.type, hit.date, ", ".join(hit.signatories)] if x)
        click.echo(click.style(f"{rank}. {hit.citation}", bold=True) + (f" — {hit.title}" if hit.title else ""))
        click.echo(f"   {facts} · {hit.hits} passage{'s' if hit.hits != 1 else ''} · {hit.source}")
        if explain and hit.matched:
            click.echo("   gevonden: " + "; ".join(f"{w} → {', '.join(f)}" for w, f in hit.matched.items()))
        for passage in hit.passages:
            where = passage.citation.rsplit(", ", 1)[-1] if passage.page else ""
            label = " · ".join(x for x in [where, passage.heading or ""] if x)
            if label:
                click.echo(f"   [{label}]")
            on, off = ("\x1b[1;4m", "\x1b[0m") if sys.stdout.isatty() else ("*", "*")
            for line in textwrap.wrap(terminal_excerpt(passage.highlight, width=320), 96):
                click.echo("     " + line.replace("\x01", on).replace("\x02", off))
            click.echo(f"     — {passage.citation}")


@main.command("serve")
@index_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback unless told otherwise).")
@click.option("--port", default=8000, show_default=True)
@click.option("--threads", default=8, show_default=True, help="Worker threads per process.")
@click.option("--processes", default=PROCESSES, show_default=True, type=click.IntRange(1, 64),
              help="Processes answering searches side by side: one per core uses every core "
                   "(forked from one, they share the index's tables until they change them).")
def serve_command(index_dir: str | None, host: str, port: int, threads: int, processes: int) -> None:
    """Serve the search pages and the JSON API with waitress (never Flask's debug server).

    \b
    Example:
      kamerzoek serve --index var/index --port 8000
    """
    from web import create_app
    from web.engine import warm
    from web.serving import listen, serve

    folder = str(_index_dir(index_dir))
    try:
        sock = listen(host, port)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}; "
                                   "is another server running there? Try --port.") from None
    try:
        app = create_app({"INDEX": folder})
        warm(app)  # before any fork: the processes share the tables built here
    except KamerzoekError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Kamerzoek on http://{host}:{port}/ (index: {folder}; {processes} "
               f"process{'es' if processes > 1 else ''})")
    serve(app, sock, threads, processes)
