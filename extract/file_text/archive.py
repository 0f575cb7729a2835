"""Archives: zip (other than Office documents) and tar, member by member.

Every member's name (and a zip's comments, a tar's link targets and extended headers)
is text of the archive; every member is read by the format readers as a file of its
own, one level deeper (bounds.Budget). The bounds are checked on what the archive
declares before anything is inflated: member count, each member's size and compression
ratio, the total. A member that cannot be read (encrypted, a compression method
without a reader, broken) makes the archive "unreadable" -- its other members are
still read, so what they contain is still found.
"""

from __future__ import annotations

import io
import struct
import tarfile
import zipfile

from extract.file_text.bounds import Budget
from extract.file_text.detect import name_text
from extract.file_text.outcome import (
    CORRUPT,
    ENCRYPTED,
    UNKNOWN,
    UNKNOWN_FORMAT,
    Collector,
    FileText,
    Unreadable,
    plural,
    unreadable,
)

_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_LOCAL_HEADER = b"PK\x03\x04"


def declared_entries(data: bytes) -> int | None:
    """The entry count a zip's end record declares (zip64 too), before zipfile builds
    an object per entry: a hostile directory of millions of entries is refused unread."""
    at = data.rfind(_EOCD, max(0, len(data) - 22 - 0xFFFF))
    if at < 0 or len(data) < at + 22:
        return None
    total: int = struct.unpack_from("<H", data, at + 10)[0]
    locator = at - 20
    if total == 0xFFFF and locator >= 0 and data[locator : locator + 4] == _ZIP64_LOCATOR:
        offset = struct.unpack_from("<Q", data, locator + 8)[0]
        if data[offset : offset + 4] == _ZIP64_EOCD and len(data) >= offset + 40:
            total = struct.unpack_from("<Q", data, offset + 32)[0]
    return total


def open_zip(data: bytes, budget: Budget, what: str) -> zipfile.ZipFile:
    """A ZipFile once the declared entry count fits the budget's member bound."""
    declared = declared_entries(data)
    if declared is not None:
        budget.take_members(declared, what)
        budget.members -= declared  # counted for real once the directory is read
    return zipfile.ZipFile(io.BytesIO(data))


def read_zip(data: bytes, out: Collector, budget: Budget) -> str:
    with open_zip(data, budget, "zip") as zf:
        infos = zf.infolist()
        comment = zf.comment.decode("utf-8", errors="replace")
        out.line(comment)
        for info in infos:  # names first: they are scanned even when a bound stops us
            out.line(name_text(info.filename))
            if info.orig_filename != info.filename:
                out.line(name_text(info.orig_filename))
            out.line(info.comment.decode("utf-8", errors="replace"))
        budget.take_members(len(infos), "zip")
        for info in infos:
            budget.check_member(info.file_size, info.compress_size, "zip")
        budget.take_bytes(sum(info.file_size for info in infos), "zip")
        if hidden_entries(data, zf, infos):
            raise Unreadable(CORRUPT, "zip has entries outside its directory")
        for info in infos:
            if not info.is_dir():
                budget.check_time("zip")
                out.merge(_zip_member(zf, info, budget))
    return f"zip, {plural(len(infos), 'member')}"


def _zip_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget) -> FileText:
    if info.flag_bits & 0x1:
        return unreadable(ENCRYPTED, "encrypted zip member", UNKNOWN)
    try:
        data = zf.read(info)
    except NotImplementedError:  # deflate64, ppmd, zstd, AES …
        return unreadable(UNKNOWN_FORMAT, f"zip compression method {info.compress_type}", UNKNOWN)
    except Exception as exc:  # bad CRC, truncated, lying sizes
        return unreadable(CORRUPT, f"zip member: {type(exc).__name__}", UNKNOWN)
    return budget.nested(data, info.filename)


def hidden_entries(data: bytes, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> bool:
    """A local file header outside every listed member's bytes: an entry a streaming
    unzipper (reading local headers, not the directory) would see and we would not."""
    spans: list[tuple[int, int]] = []
    for info in infos:
        start = info.header_offset
        header = data[start : start + 30]
        if len(header) < 30 or not header.startswith(_LOCAL_HEADER):
            return True
        name_len, extra_len = struct.unpack_from("<HH", header, 26)
        end = start + 30 + name_len + extra_len + info.compress_size
        if info.flag_bits & 0x8:  # a data descriptor follows: up to 24 bytes
            end += 24
        spans.append((start, end))
    spans.sort()
    position = 0
    directory = getattr(zf, "start_dir", len(data))
    for start, end in [*spans, (directory, directory)]:
        if start > position and _LOCAL_HEADER in data[position:start]:
            return True
        position = max(position, end)
    return False


def read_tar(data: bytes, out: Collector, budget: Budget) -> str:
    count = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tf:
        while (member := tf.next()) is not None:
            count += 1
            budget.check_time("tar")
            budget.take_members(1, "tar")
            out.line(name_text(member.name))
            out.line(name_text(member.linkname))
            out.line(member.uname)
            out.line(member.gname)
            for key, value in member.pax_headers.items():
                if key not in ("path", "linkpath", "uname", "gname"):
                    out.line(f"{key} {value}")
            if not member.isfile():
                continue
            budget.check_member(member.size, member.size, "tar")
            budget.take_bytes(member.size, "tar")
            handle = tf.extractfile(member)
            content = handle.read() if handle is not None else b""
            out.merge(budget.nested(content, member.name))
    return f"tar, {plural(count, 'member')}"
