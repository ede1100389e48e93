"""Run the relevance harness: the judged seed queries and the known-item motion queries, on ours and the peers.

    python -m bench.relevance.run                                  # seeds + every usable motion
    python -m bench.relevance.run --sample 500                     # seeds + a seeded sample of motions
    python -m bench.relevance.run --skip-motions                   # the seeds only (seconds)
    python -m bench.relevance.run --out bench/results/relevance.json --label "after compounds"

All engines answer the same queries in the same run; the tables print as Markdown
(docs/relevance.md keeps them) and the JSON keeps every query's outcome per engine.
Indexes are made once per version of index/ in $KAMERZOEK_BENCH_CACHE/relevance.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.corpora import REPO
from bench.peers import PEERS
from bench.relevance import evaluate, judged, known_items
from bench.relevance.corpus import prepare, version
from bench.relevance.engines import Ours, open_engine
from bench.relevance.evaluate import Outcome
from bench.relevance.metrics import NAMES

ENGINES = ("ours", *PEERS)
KNOWN_ITEM_PASSAGES = 1  # known-item ranks letters; one shown passage keeps the run short


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_seeds(engines: list[str], fresh: bool) -> dict[str, Any]:
    collection = prepare("seeds", engines, fresh, say)
    queries = judged.load()
    opened = {name: open_engine(name, collection.index_dir(name)) for name in engines}
    ours = opened.get("ours")
    resolver = judged.Resolver(ours.engine) if isinstance(ours, Ours) else None
    summaries: dict[str, Any] = {}
    per_query: dict[str, list[Outcome]] = {}
    for name, engine in opened.items():
        outcomes, seconds = evaluate.timed(evaluate.judged, engine, queries, resolver)
        per_query[name] = outcomes
        summaries[name] = evaluate.summary(outcomes, seconds)
        if name == "ours":
            summaries["ours (passages)"] = evaluate.summary(outcomes, seconds, passages=True)
        engine.close()
    return {"queries": len(queries), "judgments": sum(len(q.judgments) for q in queries),
            "summary": summaries, "losses": judged_losses(per_query),
            "outcomes": {name: [o.to_json() for o in outs] for name, outs in per_query.items()}}


def judged_losses(per_query: dict[str, list[Outcome]]) -> list[dict[str, Any]]:
    """Queries where a peer's letter ranking beats ours on MRR@10 or nDCG@10."""
    ours = per_query.get("ours")
    if ours is None:
        return []
    losses = []
    for i, mine in enumerate(ours):
        better = {}
        for name, outcomes in per_query.items():
            theirs = outcomes[i].scores
            if name != "ours" and (theirs["MRR@10"] > mine.scores["MRR@10"] + 1e-9
                                   or theirs["nDCG@10"] > mine.scores["nDCG@10"] + 1e-9):
                better[name] = {"MRR@10": round(theirs["MRR@10"], 3), "nDCG@10": round(theirs["nDCG@10"], 3),
                                "letters": outcomes[i].letters, "sent": outcomes[i].sent}
        if better:
            losses.append({"query": mine.query, "ours": {"MRR@10": round(mine.scores["MRR@10"], 3),
                                                         "nDCG@10": round(mine.scores["nDCG@10"], 3),
                                                         "letters": mine.letters},
                           "better": better})
    return losses


def run_motions(engines: list[str], fresh: bool, size: int | None) -> dict[str, Any]:
    collection = prepare("motions", engines, fresh, say)
    items, counts = known_items.generate(collection)
    chosen = known_items.sample(items, size)
    say(f"[motions] {len(chosen)} known items of {len(items)} usable")
    result: dict[str, Any] = {"documents": sum(1 for _ in collection.documents()), "counts": counts,
                              "usable": len(items), "sample": len(chosen),
                              "short_with_fewer_words": sum(len(i.short.split()) < 3 for i in chosen)}
    for form in ("long", "short"):
        per_query: dict[str, list[Outcome]] = {}
        summaries = {}
        for name in engines:
            engine = open_engine(name, collection.index_dir(name), KNOWN_ITEM_PASSAGES)
            say(f"[motions] {form}: {name}")
            outcomes, seconds = evaluate.timed(evaluate.known_items, engine, chosen, form)
            engine.close()
            per_query[name] = outcomes
            summaries[name] = evaluate.summary(outcomes, seconds)
        result[form] = {"summary": summaries, "versus": known_item_versus(per_query),
                        "outcomes": {name: [o.to_json() for o in outs] for name, outs in per_query.items()}}
    return result


def known_item_versus(per_query: dict[str, list[Outcome]]) -> dict[str, Any]:
    """Per peer: queries where it ranks the motion higher than ours, lower, or the same."""
    ours = per_query.get("ours")
    if ours is None:
        return {}
    versus: dict[str, Any] = {}
    for name, outcomes in per_query.items():
        if name == "ours":
            continue
        wins, losses, ties = 0, [], 0
        for mine, theirs in zip(ours, outcomes, strict=True):
            a, b = mine.rank() or 99, theirs.rank() or 99
            if a < b:
                wins += 1
            elif a > b:
                losses.append({"target": mine.target, "query": mine.query, "ours": mine.rank(),
                               name: theirs.rank(), "ours_top": mine.letters[:3]})
            else:
                ties += 1
        versus[name] = {"ours_better": wins, "peer_better": len(losses), "same": ties, "losses": losses}
    return versus


# -- output -------------------------------------------------------------------------------

def table(summaries: dict[str, Any]) -> str:
    head = ["engine", *NAMES, "zero results", "queries"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, s in summaries.items():
        cells = [name, *(f"{s[m]:.3f}" for m in NAMES), str(s["zero"]), str(s["queries"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render(result: dict[str, Any]) -> str:
    out = [f"Relevance run {result['started']} · {result['label']} · index/ version {result['version']}"]
    if "seeds" in result:
        seeds = result["seeds"]
        out += ["", f"Seeds, judged ({seeds['queries']} queries, {seeds['judgments']} judged passages; "
                    "letter level for every engine, passage level for ours):", "", table(seeds["summary"])]
        if seeds["losses"]:
            out += ["", "Judged queries where a peer ranks letters better than ours:"]
            for loss in seeds["losses"]:
                peers = ", ".join(f"{n} MRR {b['MRR@10']} nDCG {b['nDCG@10']}" for n, b in loss["better"].items())
                out.append(f"- {loss['query']!r}: ours MRR {loss['ours']['MRR@10']} "
                           f"nDCG {loss['ours']['nDCG@10']} · {peers}")
    if "motions" in result:
        motions = result["motions"]
        for form in ("long", "short"):
            out += ["", f"Motions, known item, {form} form ({motions['sample']} queries over "
                        f"{motions['documents']} motions):", "", table(motions[form]["summary"])]
            for name, v in motions[form]["versus"].items():
                out.append(f"- vs {name}: ours better on {v['ours_better']}, {name} better on "
                           f"{v['peer_better']}, same on {v['same']}")
    return "\n".join(out)


def git_state() -> str:
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "index", "search"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}{' + uncommitted changes in index/ or search/' if dirty else ''}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated: ours,fts5,tantivy,whoosh")
    parser.add_argument("--sample", type=int, default=0, help="known-item queries (0: every usable motion)")
    parser.add_argument("--skip-motions", action="store_true", help="the judged seeds only")
    parser.add_argument("--fresh", action="store_true", help="rebuild documents and indexes")
    parser.add_argument("--label", default="", help="names the run in the output (e.g. 'before')")
    parser.add_argument("--out", type=Path, help="write the full result (every query) as JSON")
    args = parser.parse_args(argv)
    engines = [e for e in args.engines.split(",") if e]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        parser.error(f"unknown engine {', '.join(unknown)}: choose from {', '.join(ENGINES)}")
    result: dict[str, Any] = {"started": time.strftime("%Y-%m-%d %H:%M"), "label": args.label or git_state(),
                              "git": git_state(), "version": version(), "engines": engines}
    result["seeds"] = run_seeds(engines, args.fresh)
    if not args.skip_motions:
        result["motions"] = run_motions(engines, args.fresh, args.sample or None)
    print(render(result))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", "utf-8")
        say(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
