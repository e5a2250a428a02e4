"""Results files: what benchmarks and `newscrawl evaluate --write-results` write parses back."""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import importlib.util
import json
import re
from pathlib import Path

import pytest

from newscrawl.cli import evaluate as evaluate_command
from newscrawl.devtools.results import (
    ROOT,
    Results,
    command_line,
    drop_option,
    read_results,
    render,
    results_path,
    write_results,
)

PAGE = """<!DOCTYPE html><html lang="pl"><head><meta charset="utf-8">
<title>{title} | Portal</title>
<meta property="article:published_time" content="2025-03-0{day}T10:00:00+01:00"></head>
<body><article><h1>{title}</h1>
<p>Pierwszy akapit artykułu o sprawie numer {day}, napisany pełnymi zdaniami dla czytelnika.</p>
<p>Drugi akapit ciągnie opowieść dalej, dodaje szczegóły, cytaty i kontekst całej sprawy.</p>
<p>Trzeci akapit zamyka tekst i mówi, co stanie się dalej w tej sprawie w przyszłym tygodniu.</p>
</article></body></html>"""


def test_written_file_parses_back_with_its_figures(tmp_path):
    results = Results(title="Speed", command="python bench/x.py --step 2",
                      columns=["figure", "median", "note"],
                      rows=[["lxml parse", "0.84 ms", "a | b"], ["ratio", "5.80x", ""]],
                      notes=["One line of context."])
    when = dt.datetime(2026, 5, 3, 10, 0, tzinfo=dt.UTC)
    path = write_results(tmp_path / "docs" / "results" / "speed.md", results, when=when)
    back = read_results(path)
    assert back.title == "Speed"
    assert back.command == "python bench/x.py --step 2"
    assert back.columns == ["figure", "median", "note"]
    assert back.rows == [["lxml parse", "0.84 ms", "a | b"], ["ratio", "5.80x", ""]]
    assert dt.datetime.fromisoformat(back.date) == when
    assert "cores" in back.machine and "Python" in back.machine
    assert back.notes == ["One line of context."]
    assert not list(path.parent.glob("*.tmp"))


def test_a_file_that_is_not_a_results_file_is_refused(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("# Title\n\nJust prose, no tables.\n", encoding="utf-8")
    with pytest.raises(ValueError):
        read_results(bad)
    text = render(Results(title="T", command="c", columns=["a", "b"], rows=[["1", "2"]],
                          date="d", machine="m"))
    bad.write_text(text.replace("| 1 | 2 |", "| 1 |"), encoding="utf-8")
    with pytest.raises(ValueError, match="cells"):
        read_results(bad)


def test_command_line_shows_no_machine_paths():
    near = ROOT.parent / "shared" / "corpus"
    line = command_line("python bench/x.py", ["--corpus", str(near), f"--out={ROOT / 'o.md'}",
                                              "--path", "/var/tmp/deep/state.sqlite"])
    assert line == "python bench/x.py --corpus ../shared/corpus --out=o.md --path state.sqlite"
    assert results_path("x") == ROOT / "docs" / "results" / "x.md"


def test_drop_option_removes_the_flag_and_its_value():
    assert drop_option(["--a", "1", "--write-results", "f.md", "--b"], "--write-results") == [
        "--a", "1", "--b"]
    assert drop_option(["--write-results", "--b"], "--write-results") == ["--b"]
    assert drop_option(["--write-results=f.md", "x"], "--write-results") == ["x"]


def cli_main(argv: list[str]) -> int:
    """`newscrawl evaluate ARGS` through the sub-command's own parser and runner."""
    parser = argparse.ArgumentParser(prog="newscrawl evaluate")
    evaluate_command.add_arguments(parser)
    assert argv[0] == "evaluate"
    return evaluate_command.run(parser.parse_args(argv[1:]))


def _corpus(folder: Path) -> Path:
    cases = []
    for day, title in ((1, "Rada miasta przyjęła budżet"), (2, "Nowy most otwarty dla ruchu")):
        html = folder / "pages" / f"case{day}.html.gz"
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_bytes(gzip.compress(PAGE.format(title=title, day=day).encode()))
        cases.append({"id": f"tiny/{day}", "source": "tiny", "html": f"pages/case{day}.html.gz",
                      "url": f"https://www.example-news.pl/kraj/artykul-{day}", "lang": "pl",
                      "truth": {"headline": title, "published": f"2025-03-0{day}",
                                "body": [f"Pierwszy akapit artykułu o sprawie numer {day}, "
                                         "napisany pełnymi zdaniami dla czytelnika."]}})
    (folder / "cases.jsonl").write_text(
        "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    return folder


def test_evaluate_writes_the_figures_it_prints(tmp_path, capsys):
    corpus = _corpus(tmp_path / "corpus")
    assert cli_main(["evaluate", "--corpus", str(corpus), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)["systems"][0]["overall"]
    target = tmp_path / "out" / "evaluate.md"
    assert cli_main(["evaluate", "--corpus", str(corpus), "--write-results", str(target)]) == 0
    back = read_results(target)
    assert back.columns == ["figure", "newscrawl"]
    assert back.command.startswith("newscrawl evaluate --corpus ")
    assert str(tmp_path) not in back.command and "--write-results" not in back.command
    figures = dict(back.rows)
    body = figures["body F1, all sources (2 pages)"]
    assert body.startswith(f"{summary['body']['f1']:.3f} (P {summary['body']['precision']:.3f}")
    assert figures["publication day (2)"] == f"{summary['published']['accuracy']:.3f}"
    assert figures["headline exact / relaxed (2)"] == (
        f"{summary['headline']['exact']:.3f} / {summary['headline']['relaxed']:.3f}")
    assert "body F1, `tiny` (2)" in figures


def test_evaluate_refuses_an_unwritable_results_file_before_running(tmp_path, capsys):
    corpus = _corpus(tmp_path / "corpus")
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert cli_main(["evaluate", "--corpus", str(corpus),
                     "--write-results", str(blocker / "sub" / "e.md")]) == 2
    err = capsys.readouterr()
    assert "cannot write" in err.err and "Main text" not in err.out


def test_state_benchmark_writes_a_results_file(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("state_bench", ROOT / "bench" / "state_bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    target = tmp_path / "state.md"
    assert bench.main(["--urls", "300", "--lookups", "50", "--write-results", str(target)]) == 0
    back = read_results(target)
    figures = dict(back.rows)
    assert back.command == "python bench/state_bench.py --urls 300 --lookups 50"
    assert figures["urls"].startswith("300 ")
    assert figures["insert"].endswith(" s)") and "upserts/s" in figures["insert"]


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FILE = re.compile(r"(?<![\w/.])((?:newscrawl|tests|fixtures|bench|scripts)/[\w./-]*\.(?:py|pyx|"
                   r"json|html|txt|sh))\b")
_LINK = re.compile(r"\]\(([^)#:]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_docs_cite_files_and_pages_that_exist(doc):
    text = doc.read_text(encoding="utf-8")
    missing = [p for p in _FILE.findall(text) if not (ROOT / p).exists()]
    missing += [link for link in _LINK.findall(text) if not (doc.parent / link).exists()
                and not link.startswith("results/")]
    assert not missing, f"{doc.name} cites what is not in the checkout: {missing}"


def test_readme_stays_short():
    assert len((ROOT / "README.md").read_bytes()) < 12_000


def test_a_summary_reaches_the_readme_block_and_nothing_else_of_it_changes(tmp_path):
    from newscrawl.devtools.results import README_BEGIN, README_END

    readme = tmp_path / "README.md"
    readme.write_text(f"# Tool\n\nBefore.\n\n{README_BEGIN}\nold figures\n{README_END}\n\nAfter.\n",
                      encoding="utf-8")
    speed = Results(title="Speed", command="python bench/x.py", columns=["a"], rows=[["1"]],
                    summary="newscrawl 0.30 x trafilatura's median time")
    write_results(tmp_path / "docs" / "results" / "speed.md", speed,
                  when=dt.datetime(2026, 5, 3, tzinfo=dt.UTC))
    write_results(tmp_path / "docs" / "results" / "quiet.md",
                  Results(title="Q", command="python bench/q.py", columns=["a"], rows=[["2"]]))
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Tool\n\nBefore.\n\n") and text.endswith("\n\nAfter.\n")
    assert "old figures" not in text
    block = text[text.index(README_BEGIN):text.index(README_END)]
    assert ("| [speed](docs/results/speed.md) | newscrawl 0.30 x trafilatura's median time "
            "(2026-05-03) | `python bench/x.py` |") in block
    assert "quiet" not in block  # no summary, no row
    assert read_results(tmp_path / "docs" / "results" / "speed.md").summary == speed.summary


def test_a_readme_without_the_block_is_left_alone(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Tool\n", encoding="utf-8")
    write_results(tmp_path / "docs" / "results" / "speed.md",
                  Results(title="S", command="c", columns=["a"], rows=[["1"]], summary="x"))
    assert readme.read_text(encoding="utf-8") == "# Tool\n"


def test_the_repository_readme_block_is_what_the_results_files_give():
    from newscrawl.devtools.results import README_BEGIN, README_END, readme_block

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index(README_BEGIN):text.index(README_END) + len(README_END)]
    assert block == readme_block(ROOT / "docs" / "results")
    assert block.count("| [") >= 3  # quality, extraction speed and crawl speed at least
