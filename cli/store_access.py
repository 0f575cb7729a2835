"""Opening the gateway's findings store for a command."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cli.errors import Refused
from store.findings_store import FindingsStore


def open_store(db: str) -> FindingsStore:
    """The existing store (never a new, empty one); Refused when there is none."""
    path = Path(db)
    if not path.is_file():
        raise Refused(f"{db}: no such database (give the gateway's database with --db)")
    try:
        return FindingsStore(path)
    except sqlite3.DatabaseError as exc:
        raise Refused(f"{db}: not a Leitplanke database ({exc})") from None
