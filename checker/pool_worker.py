"""The checker worker process: builds its engine, then scans one request at a time.

Started by checker/pool.py (forkserver context). Two pipes: `conn` carries requests and
answers; `lifeline` is never written to — when the pool closes its end, or the pool's
process dies (even by SIGKILL), the read here ends and the worker exits at once, in the
middle of a scan if need be. So no worker outlives its pool.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import traceback
from multiprocessing.connection import Connection

from checker.config import ScanConfig

WARM_UP_TEXT = "warm-up: anna.weber@example.de"  # loads tldextract's suffix list too


def describe(exc: BaseException) -> str:
    """The exception's type and where it was raised, never its message: a message can
    quote the scanned text (Presidio's "Did not find word '...'")."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}{where}"


def _exit_with_pool(lifeline: Connection) -> None:
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv()  # nothing is ever sent: this returns only by EOF
    os._exit(0)


def worker_main(conn: Connection, lifeline: Connection, config: ScanConfig) -> None:
    """Entry point of a worker process."""
    # Ctrl-C in a terminal and a hangup (reload) reach the whole process group; the
    # pool decides when a worker stops (lifeline, SIGTERM, SIGKILL), not a signal
    # mid-scan.
    for number in (signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)
    threading.Thread(target=_exit_with_pool, args=(lifeline,), daemon=True).start()
    from checker.scan import Scanner  # heavy (spaCy, Presidio): only in the worker

    try:
        scanner = Scanner(config)
        scanner.scan([WARM_UP_TEXT])
    except Exception as exc:
        conn.send(("failed", describe(exc)))
        return
    conn.send(("ready", None))
    while True:
        try:
            texts = conn.recv()
        except (EOFError, OSError):
            return
        reply: tuple[str, object]
        try:
            reply = ("ok", scanner.scan(texts))
        except Exception as exc:
            reply = ("error", describe(exc))
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
