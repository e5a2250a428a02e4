"""Crawl throughput: newscrawl's `news` spider against a bare Scrapy spider on one generated portal.

    python bench/crawl_speed.py [--articles 5000] [--server auto|nginx|python] [--concurrency 16]
        [--workers N [N ...]] [--profile] [--incremental] [-s NAME=VALUE] [--only newscrawl]
        [--keep DIR] [--write-results [FILE]]

Generates a portal of N articles in the miniature portal's markup (`fixtures/portal/generate.py`:
JSON-LD, signature, lead, related block; a sitemap index over sitemaps of 1,000 URLs), serves it
on 127.0.0.1 with nginx when it is on PATH (else a threaded Python server), and in the same run
crawls it twice, each in a fresh interpreter with the same settings (AutoThrottle off, no delay,
robots.txt obeyed, same concurrency, JSON Lines feed): (1) a bare Scrapy `SitemapSpider` (url +
`h1::text`) and (2) `scrapy crawl news -a url=...` with newscrawl's project settings. It prints
article pages per second (Scrapy's `elapsed_time_seconds`), CPU ms per article page and peak RSS
of each crawl process (each started from a small wrapper, so this script's memory is not
counted) and the ratio newscrawl / bare. `--profile` crawls once more under cProfile (the figures
above stay unprofiled) and prints the top 25 functions by cumulative and by own time.
`--incremental` turns newscrawl's incremental state on (a SQLite file in the temp folder);
`--workers 0 2` crawls with newscrawl twice, in one process and with 2 extraction worker
processes (a row each; CPU then includes the workers', also shown apart); `-s` passes extra
settings to the newscrawl crawls only; `--only newscrawl`
skips the bare crawl (a long memory run); `--keep DIR` keeps the feeds (origin replaced by
`ORIGIN`, so runs compare), logs and profile dump. `--write-results` also writes the figures to
`docs/results/crawl_speed.md` (or FILE).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import pstats
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newscrawl.devtools.results import (  # noqa: E402
    Results,
    command_line,
    drop_option,
    results_path,
    write_results,
)

SITEMAP_CHUNK = 1000
#: Settings both crawls get: the machinery is measured, not politeness towards a portal.
COMMON = ["AUTOTHROTTLE_ENABLED=0", "DOWNLOAD_DELAY=0", "ROBOTSTXT_OBEY=1", "LOG_LEVEL=INFO",
          "HTTPCACHE_ENABLED=0", "TELNETCONSOLE_ENABLED=0", "RETRY_ENABLED=0",
          "TWISTED_REACTOR=twisted.internet.asyncioreactor.AsyncioSelectorReactor"]
NEWSCRAWL = ["NEWSCRAWL_PROGRESS_INTERVAL=0", "RETRY_BACKOFF_BASE=0"]

BARE_SPIDER = '''
from scrapy.spiders import SitemapSpider


class BareSpider(SitemapSpider):
    """Sitemaps from robots.txt; url and the h1 of every page."""

    name = "bare"

    def __init__(self, url, **kwargs):
        super().__init__(**kwargs)
        self.sitemap_urls = [url.rstrip("/") + "/robots.txt"]

    def parse(self, response):
        yield {"url": response.url, "headline": response.css("h1::text").get()}
'''

#: Runs one crawl and prints its CPU seconds, peak RSS (KB) and wall seconds as JSON. The crawl
#: is started from this small process, not from the benchmark: a child's peak RSS counts the
#: memory of the process that forked it, and the benchmark holds the server.
WRAPPER = """
import json, resource, subprocess, sys, time
spec = json.loads(sys.argv[1])
start = time.perf_counter()
with open(spec["log"], "wb") as log:
    proc = subprocess.Popen(spec["cmd"], cwd=spec["cwd"], env=spec["env"], stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        code = proc.wait()
wall = time.perf_counter() - start
use = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "cpu": use.ru_utime + use.ru_stime, "rss_kb": use.ru_maxrss,
                  "wall": wall}))
"""


# -- the portal ---------------------------------------------------------------------------------
def _generator() -> ModuleType:
    """The miniature portal's generator (`fixtures/portal/generate.py`), loaded as a module."""
    path = ROOT / "fixtures" / "portal" / "generate.py"
    spec = importlib.util.spec_from_file_location("_portal_generate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_articles(gen: ModuleType, n: int) -> list[dict]:
    """`n` articles in the generator's shape, cycling its subjects, events and sentences; titles
    and texts distinct (newscrawl drops duplicate content)."""
    found = []
    sections = gen.SECTIONS
    for k in range(n):
        section, section_name = sections[k % len(sections)]
        subjects = gen.SUBJECTS[section]
        subject = subjects[(k // len(sections)) % len(subjects)]
        event = gen.EVENTS[(k * 5 + k // 36) % len(gen.EVENTS)]
        round_ = k // (len(gen.EVENTS) * 36)  # each (subject, event) once per 432 articles
        title = f"{subject} {event}" + (f", część {round_ + 1}" if round_ else "")
        published = gen.START + timedelta(minutes=17) * k
        paragraphs = []
        for p in range(4 + k % 3):
            picks = [gen.SENTENCES[(k + p * 3 + i) % len(gen.SENTENCES)] for i in range(3)]
            paragraphs.append(f"{subject} - akapit {p + 1} w sprawie {k + 1}. "
                              + " ".join(picks))
        found.append({
            "k": k, "section": section, "section_name": section_name, "title": title,
            "lead": f"{subject} {event}. To najważniejsza informacja dnia w dziale "
                    f"{section_name}, opisana w {k + 1}. artykule serwisu.",
            "paragraphs": paragraphs, "author": gen.AUTHORS[k % len(gen.AUTHORS)],
            "published": published.isoformat(),
            "modified": (published + timedelta(hours=3)).isoformat(),
            "path": f"/{gen.slugify(title)}-{7000000000000000 + k}a",
        })
    return found


def generate_portal(site: Path, n: int, origin: str) -> list[str]:
    """Write an `n`-article portal served from `origin` into `site`; returns the article paths.

    Files are plain: `{{ORIGIN}}` is already replaced, section pages and `kontakt` are
    extension-less files (no directory redirects), so any static server can serve them.
    """
    gen = _generator()
    arts = make_articles(gen, n)

    def put(name: str, text: str) -> None:
        (site / name).write_bytes(text.replace("{{ORIGIN}}", origin).encode())

    site.mkdir(parents=True, exist_ok=True)
    for a in arts:
        put(a["path"].lstrip("/"), gen.article_page(a, arts))
    latest = sorted(arts, key=lambda a: a["published"], reverse=True)
    for section, name in gen.SECTIONS:
        mine = [a for a in latest if a["section"] == section][: gen.PER_PAGE]
        put(section, gen.listing_page(f"{name} – strona 1", mine))
    put("index.html", gen.listing_page("Najnowsze wiadomości", latest[:8]))
    put("kontakt", gen.page("Kontakt", "", "<h1>Kontakt</h1><p>redakcja@example.</p>"))
    put("rss.xml", gen.rss(latest[:10]))
    chunks = [arts[i:i + SITEMAP_CHUNK] for i in range(0, len(arts), SITEMAP_CHUNK)]
    names = [f"/sitemap-articles-{i}.xml" for i in range(1, len(chunks) + 1)]
    for name, chunk in zip(names, chunks, strict=True):
        put(name.lstrip("/"), gen.urlset(chunk))
    put("sitemap.xml", gen.sitemap_index(names))
    put("robots.txt", "User-agent: *\nDisallow: /szukaj\n\nSitemap: {{ORIGIN}}/sitemap.xml\n")
    return [a["path"] for a in arts]


# -- serving ------------------------------------------------------------------------------------
def free_port() -> int:
    """A port free on 127.0.0.1 now (nginx cannot bind port 0 and report it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


NGINX_CONF = """daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    types {{ text/html html; application/xml xml; text/plain txt; }}
    default_type text/html;
    charset utf-8;
    sendfile on;
    keepalive_requests 100000;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    server {{
        listen 127.0.0.1:{port};
        root {site};
        index index.html;
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
}}
"""


class _StaticHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map,
                      "": "text/html; charset=utf-8", ".html": "text/html; charset=utf-8",
                      ".xml": "application/xml", ".txt": "text/plain; charset=utf-8"}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet."""


class Server:
    """The generated site on 127.0.0.1:`port`: nginx in the foreground as a child, or Python."""

    def __init__(self, site: Path, port: int, kind: str, tmp: Path) -> None:
        self.site, self.port, self.kind, self.tmp = site, port, kind, tmp
        self._proc: subprocess.Popen | None = None
        self._httpd: ThreadingHTTPServer | None = None

    def __enter__(self) -> Server:
        if self.kind == "nginx":
            conf = self.tmp / "nginx.conf"
            conf.write_text(NGINX_CONF.format(tmp=self.tmp, port=self.port, site=self.site))
            self._proc = subprocess.Popen(
                ["nginx", "-p", str(self.tmp), "-e", str(self.tmp / "nginx-error.log"),
                 "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            handler = partial(_StaticHandler, directory=str(self.site))
            self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
            self._httpd.daemon_threads = True
            threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                log = (self.tmp / "nginx-error.log")
                sys.exit("nginx did not start: " + (log.read_text() if log.exists() else ""))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        sys.exit(f"{self.kind} server did not listen on port {self.port}")

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.send_signal(signal.SIGQUIT)  # graceful: the master stops its workers
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.terminate()
                self._proc.wait(timeout=10)
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()


# -- crawling -----------------------------------------------------------------------------------
def stat(log: str, key: str) -> float:
    """A number from the stats dump at the end of a crawl log (0 when absent)."""
    m = re.search(rf"'{re.escape(key)}': ([\d.]+)", log)
    return float(m.group(1)) if m else 0.0


def _env() -> dict[str, str]:
    """The child's environment: the checkout first on the path (also for the bare crawl: an
    installed newscrawl's `scrapy.commands` entry point is loaded by every `scrapy` command), no
    Scrapy project variables (the bare crawl runs outside the checkout's scrapy.cfg)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPY_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def run_crawl(name: str, origin: str, tmp: Path, settings: list[str],
              profile: Path | None = None) -> dict[str, float]:
    """Crawl the portal with `name` (bare or newscrawl) in a fresh interpreter; its figures."""
    out, log = tmp / f"{name}.jsonl", tmp / f"{name}.log"
    if name == "bare":
        spider = tmp / "bare_spider.py"
        spider.write_text(BARE_SPIDER)
        # Run outside the checkout: its scrapy.cfg would load newscrawl's project settings.
        cwd, args = tmp, ["runspider", str(spider)]
    else:
        cwd, args = ROOT, ["crawl", "news"]
    prefix = [sys.executable]
    if profile is not None:
        prefix += ["-m", "cProfile", "-o", str(profile)]
    cmd = [*prefix, "-m", "scrapy", *args, "-a", f"url={origin}/", "-O", str(out)]
    for setting in settings:
        cmd += ["-s", setting]
    spec = {"cmd": cmd, "cwd": str(cwd), "env": _env(), "log": str(log)}
    proc = subprocess.run([sys.executable, "-c", WRAPPER, json.dumps(spec)], capture_output=True,
                          text=True, check=True)
    use = json.loads(proc.stdout.strip().splitlines()[-1])
    text = log.read_text(encoding="utf-8", errors="replace")
    if use["code"] != 0:
        sys.exit(f"{name} crawl failed ({use['code']}):\n{text[-3000:]}")
    urls = [json.loads(line)["url"] for line in out.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return {"items": len(urls), "distinct": len(set(urls)), "urls": urls,
            "seconds": stat(text, "elapsed_time_seconds"), "wall": use["wall"],
            "worker_cpu": stat(text, "newscrawl/extract_workers/cpu_seconds"),
            "cpu": use["cpu"], "rss_mb": use["rss_kb"] / 1024,
            "responses": stat(text, "response_received_count")}


def keep(tmp: Path, dest: Path, origin: str) -> None:
    """Copy the feeds (the portal's origin replaced by `ORIGIN`, so two runs compare), the crawl
    logs and the profile dump from `tmp` into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in tmp.iterdir():
        if path.suffix == ".jsonl":
            text = path.read_text(encoding="utf-8").replace(origin, "ORIGIN")
            (dest / path.name).write_text(text, encoding="utf-8")
        elif path.suffix in (".log", ".prof"):
            shutil.copyfile(path, dest / path.name)


def print_profile(path: Path, top: int = 25) -> str:
    """The top `top` functions of a cProfile dump by cumulative and by own time."""
    buf = io.StringIO()
    stats = pstats.Stats(str(path), stream=buf)
    stats.strip_dirs()
    for key in ("cumulative", "tottime"):
        buf.write(f"\n--- profile of the newscrawl crawl, top {top} by {key} ---\n")
        stats.sort_stats(key).print_stats(top)
    return buf.getvalue()


def crawl_name(workers: int) -> str:
    """The row name of a newscrawl crawl with `workers` extraction worker processes."""
    return f"newscrawl-w{workers}" if workers else "newscrawl"


def figures_line(name: str, r: dict[str, float]) -> str:
    """One printed line of figures (the test parses it)."""
    workers = f", {r['worker_ms']:.2f} CPU ms/page in workers" if r["worker_cpu"] else ""
    return (f"  {name:<13} {r['items']:6.0f} articles  {r['rate']:8.1f} pages/s  "
            f"{r['cpu_ms']:7.2f} CPU ms/page  {r['rss_mb']:7.1f} MB peak RSS  "
            f"({r['seconds']:.2f} s crawl, {r['wall']:.2f} s process, "
            f"{r['responses']:.0f} responses{workers})")


def main(argv: list[str] | None = None) -> int:
    """Generate, serve, crawl twice (three times with --profile) and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=5000)
    ap.add_argument("--server", choices=["auto", "nginx", "python"], default="auto")
    ap.add_argument("--concurrency", type=int, default=16,
                    help="CONCURRENT_REQUESTS and CONCURRENT_REQUESTS_PER_DOMAIN of both crawls")
    ap.add_argument("--profile", action="store_true",
                    help="also crawl under cProfile and print the top 25 functions")
    ap.add_argument("--incremental", action="store_true",
                    help="newscrawl with its incremental state on (SQLite in the temp folder)")
    ap.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                    help="extra Scrapy setting for the newscrawl crawl")
    ap.add_argument("--workers", type=int, nargs="+", default=[0], metavar="N",
                    help="crawl with newscrawl once per N extraction worker processes "
                         "(NEWSCRAWL_EXTRACT_WORKERS; 0: in the crawl process), a row each")
    ap.add_argument("--only", choices=["newscrawl"],
                    help="skip the bare crawl (no ratio): e.g. a long memory run")
    ap.add_argument("--keep", metavar="DIR", type=Path,
                    help="copy the feeds, crawl logs and profile dump into DIR")
    ap.add_argument("--write-results", metavar="FILE", nargs="?",
                    const=str(results_path("crawl_speed")),
                    help="also write the figures to FILE (default docs/results/crawl_speed.md)")
    argv = sys.argv[1:] if argv is None else argv
    args = ap.parse_args(argv)
    kind = args.server
    if kind == "auto":
        kind = "nginx" if shutil.which("nginx") else "python"
    elif kind == "nginx" and not shutil.which("nginx"):
        print("nginx is not on PATH", file=sys.stderr)
        return 2
    common = [*COMMON, f"CONCURRENT_REQUESTS={args.concurrency}",
              f"CONCURRENT_REQUESTS_PER_DOMAIN={args.concurrency}"]
    with tempfile.TemporaryDirectory(prefix="crawl-speed-") as tmp_name:
        tmp = Path(tmp_name)
        tmp.chmod(0o755)  # nginx's workers may run as another user than its master
        port = free_port()
        origin = f"http://127.0.0.1:{port}"
        paths = generate_portal(tmp / "site", args.articles, origin)
        ours = [*common, *NEWSCRAWL]
        if args.incremental:
            ours += ["NEWSCRAWL_INCREMENTAL=1", f"NEWSCRAWL_STATE={tmp / 'state.sqlite'}"]
        ours += args.set
        results: dict[str, dict[str, float]] = {}
        profile_text = ""
        with Server(tmp / "site", port, kind, tmp):
            if args.only is None:
                results["bare"] = run_crawl("bare", origin, tmp, common)
            for workers in args.workers:
                results[crawl_name(workers)] = run_crawl(
                    crawl_name(workers), origin, tmp,
                    [*ours, f"NEWSCRAWL_EXTRACT_WORKERS={workers}"] if workers else ours)
            if args.profile:
                prof = tmp / "newscrawl.prof"
                first = args.workers[0]
                run_crawl("profiled", origin, tmp,
                          [*ours, f"NEWSCRAWL_EXTRACT_WORKERS={first}"] if first else ours,
                          profile=prof)
                profile_text = print_profile(prof)
        if args.keep:
            keep(tmp, args.keep, origin)
    expected = {origin + p for p in paths}
    print(f"portal: {args.articles} articles, server {kind}, concurrency {args.concurrency}"
          f"{', incremental state on' if args.incremental else ''}"
          f"{', settings ' + ' '.join(args.set) if args.set else ''}")
    rows = []
    for name, r in results.items():
        got = set(r.pop("urls"))
        r["missing"] = len(expected - got)
        r["rate"] = r["items"] / r["seconds"] if r["seconds"] else 0.0
        r["cpu_ms"] = r["cpu"] * 1000 / r["items"] if r["items"] else 0.0
        r["worker_ms"] = r["worker_cpu"] * 1000 / r["items"] if r["items"] else 0.0
        print(figures_line(name, r) + (f"  MISSING {r['missing']}" if r["missing"] else ""))
        cpu = f"{r['cpu_ms']:.2f}" + (f" ({r['worker_ms']:.2f} in workers)"
                                      if r["worker_cpu"] else "")
        rows.append([name, f"{r['items']:.0f}", f"{r['rate']:.1f}", cpu,
                     f"{r['rss_mb']:.1f} MB", f"{r['seconds']:.2f} s"])
    bare = results.get("bare")
    for name, r in results.items():
        if bare is None or name == "bare":
            continue
        ratio = r["rate"] / bare["rate"] if bare["rate"] else 0.0
        cpu_ratio = r["cpu_ms"] / bare["cpu_ms"] if bare["cpu_ms"] else 0.0
        print(f"  ratio {name}/bare: {ratio:.2f} (pages/s), {cpu_ratio:.2f} (CPU per page)")
        rows.append([f"{name} / bare", "", f"{ratio:.2f}", f"{cpu_ratio:.2f}", "", ""])
    if profile_text:
        print(profile_text)
    if args.write_results:
        write_results(Path(args.write_results), Results(
            title="Crawl throughput (`bench/crawl_speed.py`)",
            command=command_line("python bench/crawl_speed.py",
                                 drop_option(argv, "--write-results")),
            columns=["spider", "articles", "pages/s", "CPU ms per page", "peak RSS", "crawl"],
            rows=rows,
            notes=[f"{args.articles} generated articles served by {kind} on 127.0.0.1; all "
                   f"crawls in the same run, each a fresh process: AutoThrottle off, no delay, "
                   f"robots.txt obeyed, {args.concurrency} concurrent requests, JSON Lines "
                   "feed. pages/s from Scrapy's elapsed_time_seconds; CPU (user + system) of "
                   "the whole crawl, interpreter start and extraction workers included "
                   "(newscrawl-wN: N worker processes, NEWSCRAWL_EXTRACT_WORKERS=N); peak RSS "
                   "of the largest single process of the crawl (not a sum over workers)."],
            summary=crawl_summary(results)))
    return 0 if all(r["missing"] == 0 for r in results.values()) else 1


def crawl_summary(results: dict[str, dict[str, float]]) -> str:
    """The README's line: each newscrawl crawl's pages/s (and its ratio to the bare spider's)
    and peak RSS."""
    bare = results.get("bare")
    parts = [] if bare is None else [f"bare Scrapy {bare['rate']:.0f} pages/s"]
    for name, r in results.items():
        if name == "bare":
            continue
        ratio = f" = {r['rate'] / bare['rate']:.2f} x bare" if bare and bare["rate"] else ""
        parts.append(f"{name} {r['rate']:.0f} pages/s{ratio}, peak RSS {r['rss_mb']:.0f} MB "
                     f"({r['items']:.0f} articles)")
    return "; ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
