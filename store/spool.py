"""An append-only spool for rows the database could not take (locked, disk full).

The gateway keeps deciding while SQLite is unavailable; the privacy-safe rows it
would have written (no raw values, pseudonyms only) go to `<db>.spool` as JSON
lines, fsynced, owner-only, and are replayed into the database by the next write
that succeeds. Nothing acknowledged is lost, and nothing unsafe is written.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from store.records import DecisionRecord, FindingRecord, UsageRecord

log = logging.getLogger(__name__)

SpooledRow = DecisionRecord | UsageRecord


def default_spool_path(db_path: str | Path) -> Path:
    db = Path(db_path)
    return db.with_name(db.name + ".spool")


def to_line(row: SpooledRow) -> str:
    kind = "decision" if isinstance(row, DecisionRecord) else "usage"
    return json.dumps({"kind": kind, "row": asdict(row)}, ensure_ascii=False) + "\n"


def from_line(line: str) -> SpooledRow:
    data: dict[str, Any] = json.loads(line)
    row = data["row"]
    if data["kind"] == "usage":
        return UsageRecord(**row)
    row["reasons"] = tuple(row["reasons"])
    row["data_classes"] = tuple(row["data_classes"])
    row["findings"] = tuple(FindingRecord(**f) for f in row["findings"])
    return DecisionRecord(**row)


class Spool:
    """Not thread-safe by itself: used from the Recorder's one writer thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __len__(self) -> int:
        if not self.path.exists():
            return 0
        with self.path.open(encoding="utf-8") as handle:
            return sum(1 for line in handle if line.strip())

    @property
    def pending(self) -> bool:
        return self.path.exists() and self.path.stat().st_size > 0

    def append(self, row: SpooledRow) -> None:
        torn = self.pending and not self._ends_with_newline()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            # After a crash mid-append, start on a fresh line: only the torn row is lost.
            handle.write(("\n" if torn else "") + to_line(row))
            handle.flush()
            os.fsync(handle.fileno())  # "spooled" must survive a crash right after

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"

    def rows(self) -> list[SpooledRow]:
        if not self.path.exists():
            return []
        lines = self.path.read_text("utf-8").splitlines()
        # A crash mid-append leaves at most a torn last line: skip it, keep the rest.
        rows, torn = [], 0
        for line in lines:
            if not line.strip():
                continue
            try:
                rows.append(from_line(line))
            except (ValueError, KeyError, TypeError):
                torn += 1
        if torn:
            log.error("leitplanke: %d unreadable spool line(s) in %s skipped", torn, self.path)
        return rows

    def keep(self, rows: list[SpooledRow]) -> None:
        """Replace the spool with `rows` (those a partial replay did not write)."""
        if not rows:
            self.path.unlink(missing_ok=True)
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.writelines(to_line(row) for row in rows)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
