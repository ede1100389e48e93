"""The benchmark's tables for the terminal and docs/performance.md: figures and their ratios."""

from __future__ import annotations

import math
from typing import Any

from bench.queries import QUERIES

LABELS = {"ours": "kamerzoek", "whoosh": "whoosh (plain)", "fts5": "sqlite fts5",
          "tantivy": "tantivy"}
# The targets, judged against peers measured in the same run.
THROUGHPUT_RATIO = 2.5
P95_AT_100K_MS = 150.0
REINDEX_SECONDS = 3.0
SERVER_MB_AT_100K = 600.0


def render(data: dict[str, Any], only: list[str] | None = None, markdown: bool = False) -> str:
    parts = []
    for name, corpus in data.get("corpora", {}).items():
        if only and name not in only:
            continue
        parts.append(corpus_tables(corpus, markdown))
    parts.append(_heading("Targets", markdown) + table(*targets(data), markdown=markdown))
    parts.append(_heading("Growth with corpus size", markdown)
                 + table(*growth(data), markdown=markdown))
    return "\n\n".join(parts)


def corpus_tables(corpus: dict[str, Any], markdown: bool) -> str:
    engines = corpus["engines"]
    title = (f"{corpus['corpus']}: {corpus['documents']:,} documents, "
             f"{corpus['text_mb']:.1f} MB of cleaned text, {corpus['source_mb']:.1f} MB of files "
             f"(run {corpus['started']}, load {corpus['machine'].get('load_at_start', 0):.1f}, "
             f"code {corpus['machine'].get('code', '?')})")
    out = [_heading(title, markdown).rstrip()]
    out.extend(f"{LABELS.get(e, e)}, {failure['step']} failed: {failure['error']}"
               for e, v in engines.items() for failure in v.get("errors", []))
    out.append(table(*build_rows(corpus), markdown=markdown))
    steps = engines.get("ours", {}).get("incremental")
    if steps:
        out.append(table(["re-index after", "build() s", "process s", "written", "peak MB"],
                         [[s["step"], f"{s['seconds']:.2f}", f"{s['wall']:.2f}",
                           f"{s['written']} letters", f"{s['peak_tree_mb']:.0f}"] for s in steps],
                         markdown=markdown))
    out.append(table(*query_rows(corpus), markdown=markdown))
    http = engines.get("ours", {}).get("http")
    if http:
        processes = http.get("processes", 1)
        rows = [[f"idle, after start ({processes} process{'es' if processes > 1 else ''})",
                 f"{http['idle_rss_mb']:.0f}", _mb(http.get("idle_pss_mb")), "", ""]]
        for clients in (1, 4):
            run = http.get(f"clients_{clients}")
            if run:
                rows.append([f"{clients} client{'s' if clients > 1 else ''}: "
                             f"{run['throughput_rps']:.1f} req/s, {run['errors']} errors",
                             f"{run['server_rss_mb']:.0f}", _mb(run.get("server_pss_mb")),
                             f"{run['server_peak_sampled_mb']:.0f}", _mb(run.get("server_peak_pss_mb"))])
        out.append(table(["kamerzoek serve, all its processes", "RSS MB", "PSS MB", "peak RSS MB",
                          "peak PSS MB"], rows, markdown=markdown))
    return "\n\n".join(out)


def build_rows(corpus: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    engines = corpus["engines"]
    baseline = _rate(engines.get("whoosh", {}).get("build_files"))
    rows = []
    candidates = [("ours", "build", "files → index (read, clean, passages)")]
    candidates += [("whoosh", "build_files", "files → index (read, join text)")]
    candidates += [(e, "build", "cleaned text → index") for e in ("whoosh", "fts5", "tantivy")]
    for engine, key, what in candidates:
        build = engines.get(engine, {}).get(key)
        if not build:
            continue
        documents = build.get("documents", 0)
        text_mb = (build["text_bytes"] / 2**20) if "text_bytes" in build else corpus["text_mb"]
        rate = _rate(build)
        rows.append([LABELS[engine], what, f"{documents:,}", f"{build['seconds']:.1f}",
                     f"{build.get('cpu_seconds', 0):.1f}",
                     f"{rate:,.0f}", f"{text_mb / build['seconds']:.2f}",
                     _ratio(rate, baseline), f"{build['index_mb']:.1f}",
                     f"{build['peak_tree_mb']:.0f}"])
    headers = ["engine", "timed", "docs", "seconds", "CPU s", "docs/s", "text MB/s",
               "× whoosh files→index", "index MB", "peak RSS MB"]
    return headers, rows


def query_rows(corpus: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    engines = corpus["engines"]
    baseline = _p95(engines.get("whoosh", {}).get("queries"))
    runs: list[tuple[str, dict[str, Any]]] = []
    if "queries" in engines.get("ours", {}):
        runs.append(("kamerzoek, in-process", engines["ours"]["queries"]))
    for clients in (1, 4):
        run = engines.get("ours", {}).get("http", {}).get(f"clients_{clients}")
        if run:
            runs.append((f"kamerzoek, HTTP ×{clients}", run))
    for engine in ("whoosh", "fts5", "tantivy"):
        if "queries" in engines.get(engine, {}):
            note = " (no filters)" if engines[engine]["queries"].get("dropped_filters") else ""
            runs.append((f"{LABELS[engine]}{note}", engines[engine]["queries"]))
    rows = []
    for label, run in runs:
        cells = [label]
        for kind in QUERIES:
            figures = run["kinds"].get(kind, {})
            cells.append("/".join(_ms(figures.get(p)) for p in ("p50", "p95", "p99")))
        cells += [_ms(run["all"]["p95"]), _ratio(run["all"]["p95"], baseline), _found(run)]
        rows.append(cells)
    headers = ["queries (ms p50/p95/p99)", *QUERIES, "all p95", "p95 ÷ whoosh p95",
               "with hits"]
    return headers, rows


def targets(data: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    corpora = data.get("corpora", {})
    rows = []
    for name, corpus in corpora.items():
        engines = corpus["engines"]
        ours = _rate(engines.get("ours", {}).get("build"))
        whoosh = _rate(engines.get("whoosh", {}).get("build_files"))
        if ours and whoosh and name != "seeds":
            ratio = ours / whoosh
            cpu = _cpu_rate(engines["ours"]["build"]) / (_cpu_rate(engines["whoosh"]["build_files"])
                                                         or math.inf)
            rows.append([f"{name}: indexing throughput ≥ {THROUGHPUT_RATIO}× plain Whoosh, "
                         "end to end", f"{ours:,.0f} vs {whoosh:,.0f} docs/s",
                         f"{ratio:.2f}× (per CPU second: {cpu:.2f}×)",
                         _met(ratio >= THROUGHPUT_RATIO)])
    big = corpora.get("13k", {}).get("engines", {})
    http = big.get("ours", {}).get("http", {})
    whoosh_p95 = _p95(big.get("whoosh", {}).get("queries"))
    for clients in (1, 4):
        run = http.get(f"clients_{clients}")
        p95 = _p95(run)
        if p95 and whoosh_p95:
            errors = f", {run['errors']} HTTP errors" if run["errors"] else ""
            rows.append([f"13k: HTTP p95 ({clients} client{'s' if clients > 1 else ''}) ≤ plain "
                         "Whoosh in-process p95", f"{p95:.0f} vs {whoosh_p95:.0f} ms{errors}",
                         f"{p95 / whoosh_p95:.2f}×", _met(p95 <= whoosh_p95 and not errors)])
    steps = {s["step"]: s for s in big.get("ours", {}).get("incremental", [])}
    if "change" in steps:
        wall = steps["change"]["wall"]
        rows.append([f"13k: re-index one changed letter < {REINDEX_SECONDS:.0f} s",
                     f"{wall:.2f} s (build() {steps['change']['seconds']:.2f} s)",
                     f"{wall / REINDEX_SECONDS:.2f}× the limit", _met(wall < REINDEX_SECONDS)])
    top = corpora.get("100k", {}).get("engines", {}).get("ours", {}).get("http", {})
    p95 = _p95(top.get("clients_1"))
    if p95:
        rows.append([f"100k: HTTP p95 < {P95_AT_100K_MS:.0f} ms", f"{p95:.0f} ms",
                     f"{p95 / P95_AT_100K_MS:.2f}× the limit", _met(p95 < P95_AT_100K_MS)])
    peak, measure = server_peak(top)
    if peak:
        rows.append([f"100k: server memory < {SERVER_MB_AT_100K:.0f} MB", f"{peak:.0f} MB ({measure})",
                     f"{peak / SERVER_MB_AT_100K:.2f}× the limit",
                     _met(peak < SERVER_MB_AT_100K)])
    return ["target", "measured", "ratio", "met"], rows


def server_peak(http: dict[str, Any]) -> tuple[float, str]:
    """The server's peak memory under load: the sampled peak PSS of all its processes (pages
    that forked processes share counted once), or, for results from before PSS was sampled,
    the one process's peak RSS."""
    runs = [http.get(f"clients_{c}", {}) for c in (1, 4)]
    pss = max((run.get("server_peak_pss_mb", 0) for run in runs), default=0)
    if pss:
        return pss, "peak PSS"
    return max((run.get("server_hwm_mb", 0) for run in runs), default=0), "HWM"


def _mb(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def growth(data: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    rows = []
    for name, corpus in data.get("corpora", {}).items():
        engines = corpus["engines"]
        cells = [name, f"{corpus['documents']:,}"]
        for engine, key in (("ours", "build"), ("whoosh", "build_files"), ("whoosh", "build"),
                            ("fts5", "build"), ("tantivy", "build")):
            build = engines.get(engine, {}).get(key)
            cells.append(f"{build['seconds']:.1f}" if build else "")
        cells.append(_ms(_p95(engines.get("ours", {}).get("http", {}).get("clients_1"))))
        for engine in ("ours", "whoosh", "fts5", "tantivy"):
            cells.append(_ms(_p95(engines.get(engine, {}).get("queries"))))
        rows.append(cells)
    headers = ["corpus", "docs", "build s: kamerzoek", "whoosh files", "whoosh", "fts5", "tantivy",
               "p95 ms: kamerzoek HTTP", "kamerzoek", "whoosh", "fts5", "tantivy"]
    return headers, rows


def table(headers: list[str], rows: list[list[str]], markdown: bool = False) -> str:
    if not rows:
        return "(nothing measured)"
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def _heading(text: str, markdown: bool) -> str:
    return f"### {text}\n\n" if markdown else f"== {text}\n\n"


def _rate(build: dict[str, Any] | None) -> float:
    if not build or not build.get("seconds"):
        return 0.0
    return float(build.get("documents", 0)) / float(build["seconds"])


def _cpu_rate(build: dict[str, Any]) -> float:
    cpu = float(build.get("cpu_seconds") or 0)
    return float(build.get("documents", 0)) / cpu if cpu else 0.0


def _p95(run: dict[str, Any] | None) -> float:
    if not run or "all" not in run:
        return 0.0
    return float(run["all"]["p95"])


def _ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}" if value and baseline else ""


def _ms(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == 0:
        return ""
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _found(run: dict[str, Any]) -> str:
    """How many queries found anything (in-process runs record it; HTTP runs do not)."""
    counts = [n for values in run.get("hits", {}).values() for n in values]
    return f"{sum(1 for n in counts if n)}/{len(counts)}" if counts else ""


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"
