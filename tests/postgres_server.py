"""A throwaway PostgreSQL server on a free 127.0.0.1 port, for the database store tests.

initdb in a private temporary folder (the unix socket lives there too), `postgres` started on a
free loopback port with trust authentication. PostgreSQL refuses to run as root, so as root the
cluster belongs to the unprivileged `postgres` user (made by the Debian package) or `nobody`, and
both programs run as that user (`subprocess` switches user in the child, like `setpriv`, so the
server gets its stop signals directly). Skips when the binaries are absent, except in CI (`CI` set),
where scripts/test.sh installs them.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _binary(name: str) -> str | None:
    """`name` on PATH, else in the newest /usr/lib/postgresql/<version>/bin (Debian)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit()
                        else 0)
    return candidates[-1] if candidates else None


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (scripts/test.sh installs it in CI)")
    pytest.skip(f"{reason} (scripts/test.sh installs the postgresql package)")


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder; `stop()`/`start()` keep the data and port."""

    def __init__(self) -> None:
        self.initdb = _binary("initdb")
        self.postgres = _binary("postgres")
        if self.initdb is None or self.postgres is None:
            _missing("PostgreSQL (initdb, postgres) not installed")
        try:
            import psycopg  # noqa: F401
        except ImportError:
            _missing("psycopg not installed (pip install 'newscrawl[postgres]')")
        self.user = self._run_as()
        self.folder = Path(tempfile.mkdtemp(prefix="newscrawl-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self._call([self.initdb, "-D", str(self.data), "-U", "postgres", "-A", "trust",
                    "-E", "UTF8", "--locale=C", "--no-sync"])

    @staticmethod
    def _run_as() -> str | None:
        """The unprivileged user to run as when we are root (None: run as ourselves)."""
        if os.geteuid() != 0:
            return None
        for name in ("postgres", "nobody"):
            try:
                pwd.getpwnam(name)
            except KeyError:
                continue
            return name
        _missing("no unprivileged user to run PostgreSQL as")
        return None

    def _as_user(self) -> dict:
        """Popen arguments running the child as the unprivileged user (when we are root)."""
        if self.user is None:
            return {}
        entry = pwd.getpwnam(self.user)
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": [],
                "env": {**os.environ, "HOME": str(self.folder), "USER": self.user}}

    def _call(self, argv: list[str]) -> None:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                              cwd=self.folder, **self._as_user())
        if proc.returncode != 0:
            pytest.fail(f"{argv[0]} failed: {proc.stderr[-2000:]}")

    @property
    def url(self) -> str:
        """URL of the default database."""
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        """URL of one database of this server."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> PostgresServer:
        """Start `postgres` and wait until it accepts connections."""
        import psycopg

        self.proc = subprocess.Popen(
            [self.postgres, "-D", str(self.data), "-p", str(self.port), "-k", str(self.folder),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
             "-c", "full_page_writes=off"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.folder,
            **self._as_user())
        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(self.url, connect_timeout=2).close()
                return self
            except psycopg.OperationalError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("postgres did not start")
                time.sleep(0.1)

    def stop(self, *, immediate: bool = False) -> None:
        """Stop the server: fast shutdown (SIGINT), or immediate (SIGQUIT) like a crash."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT if immediate else signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.database_url(name)

    def remove(self) -> None:
        """Stop the server and delete its folder."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A started server, stopped and deleted afterwards."""
    server = PostgresServer()
    try:
        yield server.start()
    finally:
        server.remove()
