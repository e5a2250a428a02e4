"""Score the extractor on an evaluation corpus, per source and overall, beside a reference."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from newscrawl.devtools.evaluate import (
    EXTRACTORS,
    evaluate,
    load_cases,
    missing_requirement,
    summarise,
)
from newscrawl.devtools.folds import assign_folds, site_of, spread
from newscrawl.devtools.results import Results, command_line, write_results

#: Where `--write-results` puts the figures when no FILE is given (relative to the working folder).
DEFAULT_RESULTS = Path("docs") / "results" / "evaluate.md"


def _positive(value: str) -> int:
    """A whole number of at least 1, for argparse."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {number}")
    return number


def _at_least_two(value: str) -> int:
    """A whole number of at least 2 (a number of folds), for argparse."""
    number = _positive(value)
    if number < 2:
        raise argparse.ArgumentTypeError(f"expected at least 2 folds, got {number}")
    return number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `newscrawl evaluate`."""
    parser.add_argument("--corpus", required=True, help="corpus folder holding cases.jsonl")
    parser.add_argument("--source", action="append",
                        help="only this source (repeatable); default: every source")
    parser.add_argument("--json", action="store_true",
                        help="print a machine-readable JSON summary instead of tables")
    parser.add_argument("--reference", action="append", default=[],
                        choices=[n for n in EXTRACTORS if n != "newscrawl"],
                        help="also run this extractor on the same pages, scored side by side")
    parser.add_argument("--per-case", metavar="FILE",
                        help="write every case's scores and prediction as JSON Lines to FILE")
    parser.add_argument("--limit", type=_positive, default=None, help="only the first N cases")
    parser.add_argument("--jobs", type=_positive, default=1,
                        help="worker processes (default 1: the timings stay comparable)")
    parser.add_argument("--folds", type=_at_least_two, default=None, metavar="K",
                        help="also score K folds grouped by site (registered domain of the case "
                             "URL; cases without a URL grouped by source set) and report each "
                             "figure's mean, min and max over the folds")
    parser.add_argument("--write-results", metavar="FILE", nargs="?", const=str(DEFAULT_RESULTS),
                        help="also write the headline figures as a Markdown results file "
                             f"(default FILE: {DEFAULT_RESULTS})")


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _main_text_table(summaries: list[dict[str, Any]], out: TextIO) -> None:
    print("Main text (body: 4-gram shingle P/R/F1, mean over pages; with/without: snippets)",
          file=out)
    head = (f"{'source':<13}{'system':<13}{'cases':>6} | {'body n':>6}{'P':>7}{'R':>7}{'F1':>7}"
            f" | {'with n':>6}{'acc':>7} | {'w/o n':>6}{'acc':>7}")
    print(head + "\n" + "-" * len(head), file=out)
    for source in [*summaries[0]["per_source"], "OVERALL"]:
        for i, s in enumerate(summaries):
            a = s["overall"] if source == "OVERALL" else s["per_source"][source]
            b, wi, wo = a["body"], a["with"], a["without"]
            print(f"{source if i == 0 else '':<13}{s['system']:<13}{a['cases']:>6} | "
                  f"{b['n']:>6}{_f(b['precision']):>7}{_f(b['recall']):>7}{_f(b['f1']):>7} | "
                  f"{wi['n']:>6}{_f(wi['accuracy']):>7} | {wo['n']:>6}{_f(wo['accuracy']):>7}",
                  file=out)


def _metadata_table(summaries: list[dict[str, Any]], out: TextIO) -> None:
    print("\nMetadata (exact / relaxed match; day accuracy and missing; author F1 raw / split)",
          file=out)
    head = (f"{'source':<13}{'system':<13} | {'head n':>6}{'exact':>7}{'relax':>7} | "
            f"{'lead n':>6}{'exact':>7}{'relax':>7} | {'date n':>6}{'acc':>7}{'miss':>6} | "
            f"{'auth n':>6}{'F1':>7}{'F1spl':>7}")
    print(head + "\n" + "-" * len(head), file=out)
    for source in [*summaries[0]["per_source"], "OVERALL"]:
        for i, s in enumerate(summaries):
            a = s["overall"] if source == "OVERALL" else s["per_source"][source]
            hd, ld, pb, au = a["headline"], a["lead"], a["published"], a["authors"]
            print(f"{source if i == 0 else '':<13}{s['system']:<13} | "
                  f"{hd['n']:>6}{_f(hd['exact']):>7}{_f(hd['relaxed']):>7} | "
                  f"{ld['n']:>6}{_f(ld['exact']):>7}{_f(ld['relaxed']):>7} | "
                  f"{pb['n']:>6}{_f(pb['accuracy']):>7}{pb['missing'] if pb['n'] else '-':>6} | "
                  f"{au['n']:>6}{_f(au['f1']):>7}{_f(au['f1_split']):>7}", file=out)


def _time_table(summaries: list[dict[str, Any]], out: TextIO) -> None:
    print("\nExtraction time per page", file=out)
    for s in summaries:
        t = s["time"]
        print(f"  {s['system']:<13} pages {t['pages']:>5}  median {_f(t['median_ms'])} ms  "
              f"mean {_f(t['mean_ms'])} ms", file=out)
    if len(summaries) > 1 and summaries[0]["time"]["median_ms"]:
        ours = summaries[0]["time"]["median_ms"]
        for s in summaries[1:]:
            if s["time"]["median_ms"]:
                print(f"  median {s['system']} / {summaries[0]['system']}: "
                      f"{s['time']['median_ms'] / ours:.2f}x", file=out)


def _polish_table(summaries: list[dict[str, Any]], out: TextIO) -> None:
    rows = summaries[0]["polish"]
    if not rows:
        return
    print("\nPolish pages (lang = pl): body F1, headline exact, lead exact, date, author F1",
          file=out)
    for idx, row in enumerate(rows):
        print(f"  {row['id']}", file=out)
        for s in summaries:
            sc = s["polish"][idx]["scores"]

            def g(key: str, sub: str, sc: dict = sc) -> str:
                return _f(sc[key][sub]) if key in sc else "-"

            print(f"    {s['system']:<13} body {g('body', 'f1')}  head {g('headline', 'exact')}"
                  f"  lead {g('lead', 'exact')}  date {g('published', 'correct')}"
                  f"  auth {g('authors', 'f1')}", file=out)


def print_report(summaries: list[dict[str, Any]], out: TextIO = sys.stdout) -> None:
    """Human-readable tables: main text, metadata, timings, Polish pages."""
    _main_text_table(summaries, out)
    _metadata_table(summaries, out)
    _time_table(summaries, out)
    _polish_table(summaries, out)


#: One figure the documentation cites: label, the values it shows (name, getter on a summary)
#: and how the cells join them.
Figure = tuple[str, list[tuple[str, Callable[[dict[str, Any]], float | None]]], str]


def _figures(summary: dict[str, Any]) -> list[Figure]:
    """The figures of a run, overall and per source, as getters that work on any summary (the
    whole corpus or one fold)."""
    n = summary["overall"]

    def get(*path: str) -> Callable[[dict[str, Any]], float | None]:
        def pick(s: dict[str, Any]) -> float | None:
            node: Any = s
            for key in path:
                node = node.get(key) if isinstance(node, dict) else None
            return node
        return pick

    figs: list[Figure] = [(f"body F1, all sources ({n['body']['n']} pages)",
                           [("body F1", get("overall", "body", "f1")),
                            ("body P", get("overall", "body", "precision")),
                            ("body R", get("overall", "body", "recall"))], "{0} (P {1}, R {2})")]
    for source, agg in summary["per_source"].items():
        if agg["body"]["n"]:
            figs.append((f"body F1, `{source}` ({agg['body']['n']})",
                         [(f"body F1 `{source}`", get("per_source", source, "body", "f1"))], "{0}"))
    figs += [
        (f"`with` snippets found ({n['with']['n']})",
         [("`with` found", get("overall", "with", "accuracy"))], "{0}"),
        (f"`without` snippets absent ({n['without']['n']})",
         [("`without` absent", get("overall", "without", "accuracy"))], "{0}"),
        (f"headline exact / relaxed ({n['headline']['n']})",
         [("headline exact", get("overall", "headline", "exact")),
          ("headline relaxed", get("overall", "headline", "relaxed"))], "{0} / {1}"),
        (f"lead exact / relaxed ({n['lead']['n']})",
         [("lead exact", get("overall", "lead", "exact")),
          ("lead relaxed", get("overall", "lead", "relaxed"))], "{0} / {1}"),
        (f"publication day ({n['published']['n']})",
         [("day", get("overall", "published", "accuracy"))], "{0}"),
    ]
    for source, agg in summary["per_source"].items():
        if agg["published"]["n"]:
            figs.append((f"publication day, `{source}` ({agg['published']['n']})",
                         [(f"day `{source}`",
                           get("per_source", source, "published", "accuracy"))], "{0}"))
    figs.append((f"authors F1 / split ({n['authors']['n']})",
                 [("authors F1", get("overall", "authors", "f1")),
                  ("authors F1 split", get("overall", "authors", "f1_split"))], "{0} / {1}"))
    return figs


def _spread_text(spread: dict[str, Any]) -> str:
    if spread["mean"] is None:
        return "-"
    return f"{_f(spread['mean'])} [{_f(spread['min'])}–{_f(spread['max'])}]"


def _fold_spreads(figs: list[Figure], folds: list[dict[str, Any]]
                  ) -> list[list[dict[str, Any]]]:
    """Per figure, per value: mean, min and max over the folds' summaries."""
    return [[spread([pick(f) for f in folds]) for _, pick in values] for _, values, _ in figs]


def _figure_rows(summaries: list[dict[str, Any]],
                 folds: dict[str, list[dict[str, Any]]] | None = None) -> list[list[str]]:
    """The figures the documentation cites, one row each, one column per system (and with
    folds, one more per system: each value's mean [min–max] over the folds)."""
    figs = _figures(summaries[0])
    spreads = {name: _fold_spreads(figs, fs) for name, fs in (folds or {}).items()}
    rows = []
    for i, (label, values, template) in enumerate(figs):
        row = [label, *(template.format(*(_f(pick(s)) for _, pick in values))
                        for s in summaries)]
        for s in summaries:
            if s["system"] in spreads:
                cells = [_spread_text(sp) for sp in spreads[s["system"]][i]]
                row.append(" / ".join(cells[:1] if template.startswith("{0} (") else cells))
        rows.append(row)
    times = [_f(s["time"]["median_ms"]) for s in summaries]
    rows.append(["median ms per page", *times, *(["-"] * len(spreads))])
    return rows


def _folds_table(summaries: list[dict[str, Any]], folds: dict[str, list[dict[str, Any]]],
                 grouping: str, out: TextIO) -> None:
    print(f"\nSite-grouped folds ({grouping}): whole corpus, then mean [min–max] over the folds",
          file=out)
    figs = _figures(summaries[0])
    spreads = {name: _fold_spreads(figs, fs) for name, fs in folds.items()}
    for i, (_, values, _) in enumerate(figs):
        for j, (part, pick) in enumerate(values):
            cells = "  ".join(
                f"{s['system']} {_f(pick(s))} {_spread_text(spreads[s['system']][i][j])}"
                for s in summaries)
            print(f"  {part:<26} {cells}", file=out)


def results_of(args: argparse.Namespace, cases: int, summaries: list[dict[str, Any]],
               folds: dict[str, list[dict[str, Any]]] | None = None,
               grouping: str = "") -> Results:
    """The run's figures as a results file, with the command line that reproduces them."""
    argv = ["--corpus", str(Path(args.corpus).resolve())]
    for flag, values in (("--source", args.source or []), ("--reference", args.reference)):
        for value in dict.fromkeys(values):
            argv += [flag, value]
    if args.limit:
        argv += ["--limit", str(args.limit)]
    if args.jobs > 1:
        argv += ["--jobs", str(args.jobs)]
    if getattr(args, "folds", None):
        argv += ["--folds", str(args.folds)]
    notes = [f"{cases} cases. Body: 4-gram shingle P/R/F1, mean over pages; snippets: share of "
             "`with` snippets found and `without` snippets absent; headline, lead: share of "
             "pages matching exactly / one containing the other; publication day: share "
             "correct to the day. Timings depend on `--jobs` and the machine's load."]
    columns = ["figure", *(s["system"] for s in summaries)]
    if folds:
        columns += [f"{s['system']}, folds mean [min–max]" for s in summaries]
        notes.append(f"Folds: {grouping}. Each figure is computed on each fold alone; the "
                     "folds columns give its mean and its lowest and highest fold.")
    return Results(title="Extraction quality (`newscrawl evaluate`)",
                   command=command_line("newscrawl evaluate", argv),
                   columns=columns, rows=_figure_rows(summaries, folds), notes=notes,
                   summary=_summary_line(summaries, cases))


def _summary_line(summaries: list[dict[str, Any]], cases: int) -> str:
    """The README's line: the main figures of the first system, the others' in parentheses."""
    wanted = ("body F1", "`with` found", "`without` absent", "headline relaxed", "day",
              "authors F1")
    picks = {part: pick for _, values, _ in _figures(summaries[0]) for part, pick in values}
    parts = []
    for name in wanted:
        ours, others = _f(picks[name](summaries[0])), [_f(picks[name](s)) for s in summaries[1:]]
        parts.append(f"{name} {ours}" + (f" ({', '.join(others)})" if others else ""))
    names = ", ".join(s["system"] for s in summaries[1:])
    return (f"{cases} pages: " + ", ".join(parts).replace("`", "")
            + (f"; in parentheses: {names}" if names else ""))


def fold_summaries(cases: list[dict[str, Any]], runs: dict[str, Any], k: int
                   ) -> tuple[dict[str, list[dict[str, Any]]], str, list[list[str]]]:
    """Each system's summary on each of `k` site-grouped folds, a line describing the grouping,
    and the sites of each fold."""
    folds = assign_folds(cases, k)
    sites = [sorted({site_of(c) for c in fold}) for fold in folds]
    without_url = sum(1 for c in cases if not c.get("url"))
    grouping = (f"{k} folds of {', '.join(str(len(f)) for f in folds)} cases over "
                f"{sum(map(len, sites))} sites (registered domain of the case URL; the "
                f"{without_url} cases without a URL grouped by source set)")
    return ({name: [summarise(fold, run) for fold in folds] for name, run in runs.items()},
            grouping, sites)


def _fail(message: str, status: int = 2) -> int:
    print(f"newscrawl evaluate: {message}", file=sys.stderr)
    return status


def run(args: argparse.Namespace) -> int:
    """Evaluate, print the tables (or JSON), optionally write per-case scores."""
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        return _fail(f"no such corpus folder: {corpus}")
    if not (corpus / "cases.jsonl").is_file():
        return _fail(f"no cases.jsonl in {corpus}")
    systems = ["newscrawl", *dict.fromkeys(args.reference)]
    for name in systems:
        problem = missing_requirement(name)
        if problem:
            return _fail(problem)
    try:
        selected = load_cases(corpus, args.source)
    except (OSError, ValueError, KeyError) as exc:
        return _fail(f"cannot read {corpus / 'cases.jsonl'}: {exc}")
    if not selected:
        wanted = ", ".join(args.source or [])
        return _fail(f"no case in {corpus}" + (f" from source(s) {wanted}" if wanted else ""))
    if args.folds:  # checked first: a corpus with too few sites is refused before the run
        sites = {site_of(c) for c in selected[:args.limit]}
        if len(sites) < args.folds:
            return _fail(f"--folds {args.folds}: the selected cases come from only "
                         f"{len(sites)} site(s)")
    if args.write_results:  # checked first, like --per-case: refused before the evaluation
        target = Path(args.write_results).parent
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return _fail(f"cannot write {args.write_results}: {exc.strerror or exc}")
        if not os.access(target, os.W_OK):
            return _fail(f"cannot write {args.write_results}: folder not writable")
    per_case = None
    if args.per_case:
        try:  # opened first: an unwritable FILE is refused before the (long) evaluation
            per_case = open(args.per_case, "w", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            return _fail(f"cannot write {args.per_case}: {exc.strerror or exc}")
    try:
        try:
            cases, runs = evaluate(corpus, sources=args.source, systems=systems,
                                   limit=args.limit, jobs=args.jobs)
        except OSError as exc:
            return _fail(f"cannot read a corpus page: {exc}", 1)
        summaries = [summarise(cases, runs[name]) for name in systems]
        folds, grouping, sites = None, "", []
        if args.folds:
            try:
                folds, grouping, sites = fold_summaries(cases, runs, args.folds)
            except ValueError as exc:
                return _fail(str(exc))
        if args.json:
            report: dict[str, Any] = {"cases": len(cases), "systems": summaries}
            if folds:
                report["folds"] = {"grouping": grouping, "sites": sites, "systems": folds}
            json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
            sys.stdout.write("\n")
        else:
            print_report(summaries)
            if folds:
                _folds_table(summaries, folds, grouping, sys.stdout)
        if args.write_results:
            try:
                write_results(Path(args.write_results),
                              results_of(args, len(cases), summaries, folds, grouping))
            except OSError as exc:
                return _fail(f"cannot write {args.write_results}: {exc.strerror or exc}", 1)
        if per_case is not None:
            for case in cases:
                for name in systems:
                    r = runs[name]
                    per_case.write(json.dumps({
                        "id": case["id"], "source": case["source"], "system": name,
                        "scores": r.scores[case["id"]], "seconds": r.seconds[case["id"]],
                        "prediction": r.preds[case["id"]]}, ensure_ascii=False) + "\n")
    finally:
        if per_case is not None:
            per_case.close()
    return 0
