"""The bounds of reading one upload, shared by everything nested in it.

An upload may hold files (archive members, PDF attachments, objects embedded in Office
documents), and they may hold files again. One Budget per upload counts what all of
them take, so that no shape of nesting multiplies the work: beyond a bound the file is
"unreadable" with the bound's reason, never skipped in silence.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from extract.file_text.outcome import (
    INFLATES_TOO_MUCH,
    NESTED_TOO_DEEP,
    TOO_LARGE,
    TOO_MANY_MEMBERS,
    UNKNOWN,
    FileText,
    Unreadable,
    unreadable,
)

# Files inside the upload (archive members, attachments, embedded objects), in total.
MAX_MEMBERS = 10_000
# Containers inside containers (a .tar.gz is two: the gzip stream, then the tar).
MAX_DEPTH = 5
# Bytes all nested files may inflate to, in total: INFLATE_FACTOR x the limit, at most
# INFLATE_CAP (the gateway's body limit applies to the upload itself first).
INFLATE_FACTOR = 20
INFLATE_CAP = 100 * 1024 * 1024
# A member inflating to more than RATIO_FLOOR bytes must not inflate more than
# MAX_RATIO times its compressed size: real documents stay far below (text ~5-10x,
# XML ~20x); zeros and other bomb fillers reach 1000x.
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
# Seconds one upload may take to read, checked between pages, members and attachments
# (a parser cannot be interrupted inside one): a PDF whose every page inflates the same
# 75 MB stream must not hold a reader thread for minutes. Generous: a 500-page PDF
# reads in about two seconds.
READ_SECONDS = 60.0

# Reads nested bytes (name, content type) within a budget: file_text's dispatcher.
Reader = Callable[[bytes, str | None, str | None, "Budget"], FileText]


class Budget:
    """What one upload may still take. `limit` bounds each file's bytes and text."""

    def __init__(self, limit: int, read: Reader) -> None:
        self.limit = max(limit, 0)
        self.read = read
        self.depth = 0
        self.members = 0
        self.inflated = 0
        self.deadline = time.monotonic() + READ_SECONDS

    def check_time(self, what: str) -> None:
        """Between two pages or members: past the deadline the upload is too large."""
        if time.monotonic() > self.deadline:
            raise Unreadable(TOO_LARGE, f"{what}: not read within {READ_SECONDS:g} s")

    @property
    def inflate_bound(self) -> int:
        return min(INFLATE_FACTOR * self.limit, INFLATE_CAP)

    def take_members(self, count: int, what: str) -> None:
        self.members += count
        if self.members > MAX_MEMBERS:
            raise Unreadable(TOO_MANY_MEMBERS, f"{what}: more than {MAX_MEMBERS} files")

    def take_bytes(self, size: int, what: str) -> None:
        """`size` more inflated bytes; over the upload's total bound it is a zip bomb."""
        self.inflated += size
        if self.inflated > self.inflate_bound:
            bound = self.inflate_bound
            raise Unreadable(INFLATES_TOO_MUCH, f"{what} inflates beyond {bound} bytes")

    def check_member(self, size: int, compressed: int, what: str) -> None:
        """A member's declared (or inflated) size against the per-file and ratio bounds."""
        if size > self.limit:
            raise Unreadable(TOO_LARGE, f"{what}: a member exceeds {self.limit} bytes")
        if size > RATIO_FLOOR and size > MAX_RATIO * max(compressed, 1):
            raise Unreadable(INFLATES_TOO_MUCH, f"{what}: a member inflates over {MAX_RATIO}x")

    def nested(self, data: bytes, name: str | None, content_type: str | None = None) -> FileText:
        """Read a file found inside the current one, one level deeper."""
        if self.depth >= MAX_DEPTH:
            return unreadable(NESTED_TOO_DEEP, f"nested deeper than {MAX_DEPTH}", UNKNOWN)
        self.depth += 1
        try:
            return self.read(data, name, content_type, self)
        finally:
            self.depth -= 1
