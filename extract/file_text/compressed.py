"""Compressed single files: gzip (also .tgz, concatenated members), bzip2, xz.

Inflated in steps that never produce more than the bound allows -- the smaller of the
per-file limit, what the upload's total may still take, and MAX_RATIO times the
compressed size -- then read as the file they hold (a .tar.gz becomes a tar, one level
deeper). The name and comment a gzip header carries are text of the file as well.
"""

from __future__ import annotations

import bz2
import lzma
import zlib
from collections.abc import Callable
from typing import Protocol

from extract.file_text.bounds import MAX_RATIO, RATIO_FLOOR, Budget
from extract.file_text.detect import name_text
from extract.file_text.outcome import (
    CORRUPT,
    INFLATES_TOO_MUCH,
    TOO_LARGE,
    Collector,
    Unreadable,
)

_GZIP = b"\x1f\x8b"
# Outer name suffix -> the inner file's suffix, when the stream names no file itself.
_SUFFIXES = {".gz": "", ".gzip": "", ".tgz": ".tar", ".bz2": "", ".tbz": ".tar"}
_SUFFIXES |= {".tbz2": ".tar", ".xz": "", ".txz": ".tar"}


class _Stream(Protocol):
    """bz2.BZ2Decompressor and lzma.LZMADecompressor alike."""

    @property
    def eof(self) -> bool: ...
    @property
    def needs_input(self) -> bool: ...
    @property
    def unused_data(self) -> bytes: ...
    def decompress(self, data: bytes, max_length: int = -1) -> bytes: ...


def read_gzip(data: bytes, out: Collector, budget: Budget, filename: str | None) -> str:
    raw = bytearray()
    cap, why = _cap(data, budget)
    rest, members, inner = data, 0, None
    while rest:
        if not rest.startswith(_GZIP):
            if rest.strip(b"\x00"):  # gzip(1) ignores zero padding, nothing else
                raise Unreadable(CORRUPT, "gzip: data after the stream")
            break
        name, comment = _gzip_header_text(rest)
        out.line(name_text(name))
        out.line(comment)
        inner = inner or name
        members += 1
        stream = zlib.decompressobj(31)
        buffer = rest
        while not stream.eof:
            chunk = stream.decompress(buffer, cap + 1 - len(raw))
            raw += chunk
            if len(raw) > cap:
                raise Unreadable(why, f"gzip inflates beyond {cap} bytes")
            buffer = stream.unconsumed_tail
            if not chunk and not buffer:
                raise Unreadable(CORRUPT, "gzip: truncated")
        rest = stream.unused_data
    return _inner(bytes(raw), out, budget, inner or _inner_name(filename), "gzip")


def read_bzip2(data: bytes, out: Collector, budget: Budget, filename: str | None) -> str:
    return _read_streams(data, out, budget, filename, "bzip2", bz2.BZ2Decompressor)


def read_xz(data: bytes, out: Collector, budget: Budget, filename: str | None) -> str:
    return _read_streams(data, out, budget, filename, "xz", lzma.LZMADecompressor)


def _read_streams(
    data: bytes,
    out: Collector,
    budget: Budget,
    filename: str | None,
    what: str,
    factory: Callable[[], _Stream],
) -> str:
    raw = bytearray()
    cap, why = _cap(data, budget)
    rest = data
    while rest.strip(b"\x00"):
        stream = factory()
        buffer = rest
        while not stream.eof:
            chunk = stream.decompress(buffer, cap + 1 - len(raw))
            buffer = b""
            raw += chunk
            if len(raw) > cap:
                raise Unreadable(why, f"{what} inflates beyond {cap} bytes")
            if stream.needs_input and not chunk:
                raise Unreadable(CORRUPT, f"{what}: truncated")
        rest = stream.unused_data
    return _inner(bytes(raw), out, budget, _inner_name(filename), what)


def _cap(data: bytes, budget: Budget) -> tuple[int, str]:
    """How far a stream may inflate, and the reason when it goes beyond."""
    remaining = max(budget.inflate_bound - budget.inflated, 0)
    ratio = max(RATIO_FLOOR, MAX_RATIO * len(data))
    cap = min(budget.limit, remaining, ratio)
    return cap, TOO_LARGE if cap == budget.limit else INFLATES_TOO_MUCH


def _inner(raw: bytes, out: Collector, budget: Budget, name: str | None, what: str) -> str:
    budget.take_bytes(len(raw), what)
    out.merge(budget.nested(raw, name))
    return f"{what}, {len(raw)} bytes inflated"


def _inner_name(filename: str | None) -> str | None:
    if not filename:
        return None
    lower = filename.lower()
    for suffix, replacement in _SUFFIXES.items():
        if lower.endswith(suffix):
            return filename[: -len(suffix)] + replacement
    return None


def _gzip_header_text(data: bytes) -> tuple[str, str]:
    """FNAME and FCOMMENT of a gzip member header (RFC 1952: Latin-1, NUL-terminated)."""
    flags = data[3] if len(data) > 3 else 0
    position = 10
    if flags & 0x04 and len(data) >= 12:  # FEXTRA: binary subfields
        position = 12 + int.from_bytes(data[10:12], "little")
    fields = []
    for flag in (0x08, 0x10):  # FNAME, FCOMMENT
        if flags & flag:
            end = data.find(b"\x00", position)
            if end < 0:
                raise Unreadable(CORRUPT, "gzip: truncated header")
            fields.append(data[position:end].decode("latin-1"))
            position = end + 1
        else:
            fields.append("")
    return fields[0], fields[1]
