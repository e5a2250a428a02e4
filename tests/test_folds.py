"""Site-grouped folds: the grouping keeps each site in one fold, and the report shows the spread."""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from newscrawl.cli import evaluate as evaluate_command
from newscrawl.devtools.folds import assign_folds, site_of, spread
from newscrawl.devtools.results import read_results
from newscrawl.urls import registered_domain


@pytest.mark.parametrize(("host", "domain"), [
    ("www.bbc.co.uk", "bbc.co.uk"),
    ("edition.cnn.com", "cnn.com"),
    ("wiadomosci.wp.pl", "wp.pl"),
    ("www.abc.net.au", "abc.net.au"),
    ("example.org", "example.org"),
])
def test_registered_domain(host: str, domain: str) -> None:
    assert registered_domain(host) == domain


def test_site_of_reads_the_url_the_archived_page_and_else_the_source() -> None:
    assert site_of({"source": "x", "url": "https://www.spiegel.de/a/b.html"}) == "spiegel.de"
    archived = "https://web.archive.org/web/20200101000000/https://www.taz.de/artikel/"
    assert site_of({"source": "x", "url": archived}) == "taz.de"
    assert site_of({"source": "readability", "url": None}) == "source:readability"
    assert site_of({"source": "zyte"}) == "source:zyte"


def _cases() -> list[dict]:
    hosts = ["a.one.com", "b.one.com", "two.org", "www.three.pl", "three.pl", "four.de",
             "five.fr", "five.fr", "five.fr", "six.it"]
    cases = [{"id": f"s/{i}", "source": "s", "url": f"https://{h}/article-{i}"}
             for i, h in enumerate(hosts)]
    cases += [{"id": f"r/{i}", "source": "r", "url": None} for i in range(3)]
    return cases


@pytest.mark.parametrize("k", [2, 3, 4])
def test_no_site_is_in_two_folds_and_every_case_is_in_one(k: int) -> None:
    cases = _cases()
    folds = assign_folds(cases, k)
    assert len(folds) == k and all(folds)
    assert sorted(c["id"] for f in folds for c in f) == sorted(c["id"] for c in cases)
    owner: dict[str, int] = {}
    for i, fold in enumerate(folds):
        for case in fold:
            assert owner.setdefault(site_of(case), i) == i, site_of(case)
    sizes = sorted(map(len, folds))
    assert sizes[-1] - sizes[0] <= 3  # the largest group (three cases) bounds the imbalance
    assert assign_folds(list(reversed(cases)), k) != [] and folds == assign_folds(cases, k)


def test_folds_refuse_impossible_splits() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        assign_folds(_cases(), 1)
    with pytest.raises(ValueError, match="cannot fill"):
        assign_folds(_cases()[:2], 2)  # one site only


def test_spread_leaves_out_folds_without_the_figure() -> None:
    assert spread([0.5, None, 1.0]) == {"folds": 2, "mean": 0.75, "min": 0.5, "max": 1.0}
    assert spread([None]) == {"folds": 0, "mean": None, "min": None, "max": None}


PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title>
<meta property="article:published_time" content="2025-03-0{day}T10:00:00+00:00"></head>
<body><article><h1>{title}</h1><p>{text}</p></article></body></html>"""


def _corpus(folder: Path) -> Path:
    """Four pages on three sites; the page of day 4 states a wrong date, so folds differ."""
    cases = []
    rows = [(1, "one.com", "City council passes the budget"),
            (2, "one.com", "New bridge opens to traffic"),
            (3, "two.org", "Library extends its opening hours"),
            (4, "three.net", "Harbour gets a new ferry line")]
    for day, host, title in rows:
        html = folder / "pages" / f"case{day}.html.gz"
        html.parent.mkdir(parents=True, exist_ok=True)
        text = f"The story of {title.lower()}, told in whole sentences for the reader today."
        html.write_bytes(gzip.compress(PAGE.format(title=title, day=day, text=text).encode()))
        truth_day = 5 if day == 4 else day
        cases.append({"id": f"tiny/{day}", "source": "tiny", "html": f"pages/case{day}.html.gz",
                      "url": f"https://www.{host}/news/{day}", "lang": "en",
                      "truth": {"headline": title, "published": f"2025-03-0{truth_day}",
                                "body": [text]}})
    (folder / "cases.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cases),
                                        encoding="utf-8")
    return folder


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="newscrawl evaluate")
    evaluate_command.add_arguments(parser)
    return evaluate_command.run(parser.parse_args(argv))


def test_fold_report_gives_mean_min_and_max_of_each_fold(tmp_path: Path, capsys) -> None:
    corpus = _corpus(tmp_path / "corpus")
    assert _run(["--corpus", str(corpus), "--folds", "2", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    folds = report["folds"]
    assert "registered domain" in folds["grouping"]
    assert sorted(s for f in folds["sites"] for s in f) == ["one.com", "three.net", "two.org"]
    per_fold = [f["overall"]["published"]["accuracy"] for f in folds["systems"]["newscrawl"]]
    assert sorted(per_fold) == [0.5, 1.0]  # one.com alone (2 right), two.org + three.net
    assert report["systems"][0]["overall"]["published"]["accuracy"] == 0.75

    target = tmp_path / "evaluate.md"
    assert _run(["--corpus", str(corpus), "--folds", "2", "--write-results", str(target)]) == 0
    printed = capsys.readouterr().out
    assert "Site-grouped folds" in printed and "0.750 [0.500–1.000]" in printed
    back = read_results(target)
    assert back.columns == ["figure", "newscrawl", "newscrawl, folds mean [min–max]"]
    assert "--folds 2" in back.command
    figures = {row[0]: row[1:] for row in back.rows}
    assert figures["publication day (4)"] == ["0.750", "0.750 [0.500–1.000]"]
    assert Counter(len(r) for r in back.rows) == Counter({3: len(back.rows)})


def test_too_few_sites_for_the_folds_is_one_line_before_the_run(tmp_path: Path, capsys) -> None:
    corpus = _corpus(tmp_path / "corpus")
    assert _run(["--corpus", str(corpus), "--folds", "4"]) == 2
    err = capsys.readouterr()
    assert err.err.count("\n") == 1 and "3 site(s)" in err.err and "Main text" not in err.out
