"""Evaluation against a corpus of real pages with ground truth (format: the corpus README).

Scoring follows the corpus's reference rules exactly, so the figures printed by
`newscrawl evaluate` equal those of the reference scorer on the same predictions:
body = 4-gram word-shingle P/R/F1 per page (multisets), with/without snippet accuracy,
headline/lead exact and relaxed match, day-level date accuracy, author set F1 (raw and split).
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SHINGLE_N = 4
_TOKEN = re.compile(r"\w+")
_WS = re.compile(r"\s+")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
_AUTH_SPLIT = re.compile(r"\s*(?:;|,|&|/|\|)\s*|\s+(?:and|und|i|et)\s+", re.I)
_AUTH_PREFIX = re.compile(r"^(?:by|von|par|por|door)\s+", re.I)

Prediction = dict[str, Any]
Scores = dict[str, dict[str, float]]


# ---------------------------------------------------------------------------- text helpers
def _norm(value: Any) -> str:
    """NFC, whitespace runs collapsed, stripped; '' for non-strings."""
    if not isinstance(value, str):
        return ""
    return _WS.sub(" ", unicodedata.normalize("NFC", value)).strip()


def _fold(value: Any) -> str:
    return _norm(value).casefold()


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def shingle_counts(text: str, n: int = SHINGLE_N) -> Counter:
    """Multiset of n-word shingles over lower-cased `\\w+` tokens (short text: one shingle)."""
    toks = _TOKEN.findall(unicodedata.normalize("NFC", text or "").lower())
    out: Counter = Counter()
    for i in range(max(1, len(toks) - n + 1)):
        sh = tuple(toks[i:i + n])
        if sh:
            out[sh] += 1
    return out


def shingle_prf(truth: str, pred: str) -> tuple[float, float, float] | None:
    """(precision, recall, F1) of `pred` against `truth`; None when the truth has no tokens."""
    t = shingle_counts(truth)
    if not t:
        return None
    p = shingle_counts(pred)
    tp = sum((t & p).values())
    fp = sum(p.values()) - tp
    fn = sum(t.values()) - tp
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1


def _truth_text(truth: dict[str, Any]) -> str:
    if truth.get("body"):
        return "\n".join(_texts(truth["body"]))
    value = truth.get("body_text")
    return value if isinstance(value, str) else ""


def _pred_body(pred: Prediction) -> str:
    body = pred.get("body")
    return "\n".join(_texts(pred.get("body_text") if body is None else body))


def _pred_lead(pred: Prediction) -> str:
    lead = pred.get("lead")
    return lead if isinstance(lead, str) else ""


def _contains(hay: str, needle: str) -> bool:
    n = _fold(needle)
    return bool(n) and n in _fold(hay)


def _scored_body(truth: dict[str, Any], pred: Prediction) -> str:
    """Predicted main text: the lead goes in front unless already in the body or kept apart."""
    body, lead = _pred_body(pred), _pred_lead(pred)
    if not _norm(lead) or _contains(body, lead):
        return body
    tl = truth.get("lead")
    if isinstance(tl, str) and tl.strip() and not _contains(_truth_text(truth), tl):
        return body
    return lead + "\n" + body


def _match(truth: str, pred: str) -> dict[str, float]:
    t, p = _norm(truth), _norm(pred)
    tc, pc = t.casefold(), p.casefold()
    return {"exact": float(bool(t) and t == p),
            "relaxed": float(bool(tc and pc) and (tc in pc or pc in tc))}


def _day(value: Any) -> str | None:
    m = _ISO_DAY.match(value.strip()) if isinstance(value, str) else None
    return m.group(0) if m else None


def _set_f1(truth: Iterable[str], pred: Iterable[str]) -> float | None:
    t = {_fold(x) for x in truth} - {""}
    p = {_fold(x) for x in pred} - {""}
    if not t:
        return None
    return 2 * len(t & p) / (len(t) + len(p)) if p else 0.0


def split_authors(names: Iterable[str]) -> list[str]:
    """Split author strings on separators and conjunctions, dropping a leading 'by'/'von'/..."""
    out = []
    for name in names:
        for part in _AUTH_SPLIT.split(_norm(name)):
            part = _AUTH_PREFIX.sub("", part.strip()).strip(" .:-")
            if part:
                out.append(part)
    return out


# ---------------------------------------------------------------------------- scoring
def score_case(truth: dict[str, Any], pred: Prediction) -> Scores:
    """Scores of one prediction for every field its truth provides."""
    out: Scores = {}
    tt = _truth_text(truth)
    if tt:
        prf = shingle_prf(tt, _scored_body(truth, pred))
        if prf is not None:
            out["body"] = dict(zip(("precision", "recall", "f1"), prf, strict=True))
    if truth.get("with") or truth.get("without"):
        text = _norm(_pred_lead(pred) + "\n" + _pred_body(pred))
        for key, want in (("with", True), ("without", False)):
            snippets = [s for s in map(_norm, _texts(truth.get(key))) if s]
            if snippets:
                ok = sum(1 for s in snippets if (s in text) == want)
                out[key] = {"n": len(snippets), "ok": ok}
    for key in ("headline", "lead"):
        if _norm(truth.get(key)):
            p = pred.get(key)
            out[key] = _match(truth[key], p if isinstance(p, str) else "")
    for key in ("published", "modified"):
        td = _day(truth.get(key))
        if td:
            pv = pred.get(key)
            missing = not (isinstance(pv, str) and pv.strip())
            out[key] = {"correct": float(_day(pv) == td), "missing": int(missing)}
    if truth.get("authors"):
        ta, pa = _texts(truth["authors"]), _texts(pred.get("authors"))
        f1 = _set_f1(ta, pa)
        if f1 is not None:
            fs = _set_f1(split_authors(ta), split_authors(pa))
            out["authors"] = {"f1": f1, "f1_split": 0.0 if fs is None else fs}
    if truth.get("topics"):
        f1 = _set_f1(_texts(truth["topics"]), _texts(pred.get("topics")))
        if f1 is not None:
            out["topics"] = {"f1": f1}
    return out


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def aggregate(rows: list[Scores]) -> dict[str, Any]:
    """Mean scores over pages (snippet accuracy over all snippets), with the counts behind them."""
    def of(key: str) -> list[dict[str, float]]:
        return [r[key] for r in rows if key in r]

    out: dict[str, Any] = {"cases": len(rows)}
    body = of("body")
    out["body"] = {"n": len(body), **{k: _mean([b[k] for b in body])
                                      for k in ("precision", "recall", "f1")}}
    for key in ("with", "without"):
        items = of(key)
        n, ok = sum(x["n"] for x in items), sum(x["ok"] for x in items)
        out[key] = {"pages": len(items), "n": n, "ok": ok, "accuracy": ok / n if n else None}
    for key in ("headline", "lead"):
        items = of(key)
        out[key] = {"n": len(items), "exact": _mean([x["exact"] for x in items]),
                    "relaxed": _mean([x["relaxed"] for x in items])}
    for key in ("published", "modified"):
        items = of(key)
        out[key] = {"n": len(items), "accuracy": _mean([x["correct"] for x in items]),
                    "missing": sum(int(x["missing"]) for x in items)}
    items = of("authors")
    out["authors"] = {"n": len(items), "f1": _mean([x["f1"] for x in items]),
                      "f1_split": _mean([x["f1_split"] for x in items])}
    items = of("topics")
    out["topics"] = {"n": len(items), "f1": _mean([x["f1"] for x in items])}
    return out


# ---------------------------------------------------------------------------- corpus
def load_cases(corpus: Path, sources: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The corpus cases (cases.jsonl), optionally only those of the given sources."""
    wanted = set(sources or ())
    cases = []
    with open(Path(corpus) / "cases.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                case = json.loads(line)
                if not wanted or case["source"] in wanted:
                    cases.append(case)
    return cases


def read_page(corpus: Path, case: dict[str, Any]) -> bytes:
    """The page bytes of one case, decompressed."""
    return gzip.decompress((Path(corpus) / case["html"]).read_bytes())


def case_url(case: dict[str, Any]) -> str:
    """The case's article URL, or a placeholder that selects no portal when none is recorded."""
    return case.get("url") or f"https://example.invalid/{case['id']}"


# ---------------------------------------------------------------------------- extractors
def predict_ours(html: bytes, url: str) -> Prediction:
    """Our prediction for one page, through the same `extract_article` the spiders use."""
    from newscrawl.extract import ExtractionError
    from newscrawl.routing import extract_article

    try:
        a = extract_article(html, url)
    except ExtractionError:
        return {}
    except Exception as exc:  # noqa: BLE001 - one failing page must not end the evaluation
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"headline": a.headline, "lead": a.lead, "body": a.body, "authors": a.authors,
            "published": a.published, "modified": a.modified, "topics": a.tags}


def predict_trafilatura(html: bytes, url: str) -> Prediction:
    """trafilatura's prediction for one page (its default settings, metadata included)."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True,
                                          include_comments=False, as_dict=False)
    except Exception:  # a reference run must survive the reference's own failures
        doc = None
    if doc is None:
        return {}
    text = doc.text or ""
    author = doc.author
    # No lead: trafilatura's `description` is the meta description, not the page's standfirst.
    return {"headline": doc.title, "lead": None,
            "body": [p for p in text.split("\n") if p.strip()],
            "authors": [author] if author else [], "published": doc.date,
            "topics": list(doc.categories or []) + list(doc.tags or [])}


def predict_htmldate(html: bytes, url: str) -> Prediction:
    """htmldate's publication day alone (trafilatura's settings: original date, extensive
    search), to weigh it against our date search; it predicts no other field."""
    from htmldate import find_date

    try:
        day = find_date(html, url=url, original_date=True,
                        extensive_search=True, outputformat="%Y-%m-%d")
    except Exception:  # a reference run must survive the reference's own failures
        day = None
    return {"published": day} if day else {}


EXTRACTORS: dict[str, Callable[[bytes, str], Prediction]] = {
    "newscrawl": predict_ours,
    "trafilatura": predict_trafilatura,
    "htmldate": predict_htmldate,
}
#: The package each reference extractor imports (an optional dependency).
REQUIRES: dict[str, str] = {"trafilatura": "trafilatura", "htmldate": "htmldate"}


def missing_requirement(name: str) -> str | None:
    """Why extractor `name` cannot run here (its package does not import), or None."""
    module = REQUIRES.get(name)
    if module is None:
        return None
    import importlib

    try:
        importlib.import_module(module)
    except ImportError as exc:
        return (f"the {name!r} reference needs the {module} package, which does not import "
                f"({exc}); install it with `pip install {module}`")
    return None


@dataclass
class SystemRun:
    """One extractor's predictions, scores and timings over the cases."""

    name: str
    preds: dict[str, Prediction] = field(default_factory=dict)
    scores: dict[str, Scores] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def run_case(case: dict[str, Any], html: bytes, name: str) -> tuple[Prediction, float]:
    """Prediction of extractor `name` on one page and the seconds it took."""
    fn = EXTRACTORS[name]
    start = time.perf_counter()
    pred = fn(html, case_url(case))
    return pred, time.perf_counter() - start


def _run_chunk(corpus: Path, chunk: list[dict[str, Any]],
               systems: tuple[str, ...]) -> list[tuple[str, str, Prediction, float]]:
    out = []
    for case in chunk:
        html = read_page(corpus, case)
        for name in systems:
            pred, secs = run_case(case, html, name)
            out.append((case["id"], name, pred, secs))
    return out


def evaluate(corpus: Path, *, sources: Iterable[str] | None = None,
             systems: Iterable[str] = ("newscrawl",), limit: int | None = None,
             jobs: int = 1) -> tuple[list[dict[str, Any]], dict[str, SystemRun]]:
    """Run every system over the corpus cases (same pages, same run) and score them.

    `jobs` > 1 spreads the pages over worker processes (faster; timings get noisier).
    """
    cases = load_cases(corpus, sources)[:limit]
    names = tuple(systems)
    runs = {name: SystemRun(name) for name in names}
    if jobs > 1 and len(cases) > 1:
        from concurrent.futures import ProcessPoolExecutor

        size = max(1, min(50, len(cases) // (jobs * 4) or 1))
        chunks = [cases[i:i + size] for i in range(0, len(cases), size)]
        with ProcessPoolExecutor(jobs) as pool:
            results = [r for part in pool.map(_run_chunk, [corpus] * len(chunks), chunks,
                                              [names] * len(chunks)) for r in part]
    else:
        results = _run_chunk(corpus, cases, names)
    truths = {c["id"]: c.get("truth") or {} for c in cases}
    for case_id, name, pred, secs in results:
        run = runs[name]
        run.preds[case_id] = pred
        run.seconds[case_id] = secs
        run.scores[case_id] = score_case(truths[case_id], pred)
    return cases, runs


def summarise(cases: list[dict[str, Any]], run: SystemRun) -> dict[str, Any]:
    """Per-source and overall aggregates, timings, and the Polish pages' own scores."""
    by_source: dict[str, list[Scores]] = defaultdict(list)
    for case in cases:
        by_source[case["source"]].append(run.scores.get(case["id"], {}))
    times = [run.seconds[c["id"]] for c in cases if c["id"] in run.seconds]
    return {
        "system": run.name,
        "per_source": {s: aggregate(rows) for s, rows in sorted(by_source.items())},
        "overall": aggregate([r for rows in by_source.values() for r in rows]),
        "time": {"pages": len(times),
                 "median_ms": statistics.median(times) * 1000 if times else None,
                 "mean_ms": statistics.fmean(times) * 1000 if times else None},
        "errors": sorted(c["id"] for c in cases if "error" in run.preds.get(c["id"], {})),
        "polish": [{"id": c["id"], "scores": run.scores.get(c["id"], {})}
                   for c in cases if c.get("lang") == "pl"],
    }
