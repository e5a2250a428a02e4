"""The extraction worker process: reads pages sent over its socket and sends back what it read.

Kept apart from `newscrawl.crawl.workers` (the crawl side) so a worker imports only what reading
a page needs. Messages are length-prefixed pickles: a page in (`read_page`'s arguments), a
`(True, PageReading)` or `(False, exception)` out.
"""

from __future__ import annotations

import pickle
import signal
import socket
import struct
from typing import Any, BinaryIO

from newscrawl.crawl.reading import read_page

__all__ = ["HEADER", "STOP_SIGNALS", "frame", "serve"]

#: Signals a worker leaves to the crawl process (blocked from its start, then ignored).
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
#: Size of the length prefix of every message.
HEADER = struct.Struct("!Q")


def frame(message: Any) -> bytes:
    """One message as bytes on the wire: its pickle's length, then the pickle."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


def _receive(stream: BinaryIO) -> Any:
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None  # the crawl closed its end: done
    (size,) = HEADER.unpack(header)
    return pickle.loads(stream.read(size))


def _answer(page: tuple) -> tuple[bool, Any]:
    try:
        return True, read_page(*page)
    except Exception as exc:  # noqa: BLE001 - the crawl reports it like an in-process error
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001 - an exception that cannot travel goes as its repr
            exc = RuntimeError(repr(exc))
        return False, exc


def serve(sock: socket.socket) -> None:
    """Worker main loop: one page at a time until the crawl closes the socket (or is gone).

    SIGINT and SIGTERM are ignored: the crawl decides when to stop (a terminal's Ctrl-C and a
    service manager's SIGTERM reach the whole process group)."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # blocked while it started
    with sock, sock.makefile("rb") as stream:
        while (page := _receive(stream)) is not None:
            sock.sendall(frame(_answer(page)))
