"""Decode a request body's Content-Encoding without ever holding more than a limit.

mitmproxy's own decoding inflates the whole body first; a 10 KB gzip bomb becomes
a gigabyte in memory before anyone can say "too large". Here every decoder stops
one byte past `limit`.
"""

from __future__ import annotations

import codecs
import io
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import brotli
import zstandard


class BodyTooLarge(ValueError):
    """The decoded body would exceed the limit."""


def decode_body(raw: bytes, content_encoding: str | None, limit: int) -> bytes:
    """`raw` decoded through every listed encoding (last applied is undone first).

    Raises BodyTooLarge past `limit`, ValueError for unknown or broken encodings.
    """
    data = raw
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        data = _decode_one(data, coding, limit)
    if len(data) > limit:
        raise BodyTooLarge(f"body exceeds {limit} bytes")
    return data


def _decode_one(data: bytes, coding: str, limit: int) -> bytes:
    if coding == "identity":
        return data
    if coding in ("gzip", "x-gzip"):
        return _zlib(data, 16 + zlib.MAX_WBITS, limit)
    if coding == "deflate":
        # RFC 9110 says zlib-wrapped; some clients send raw deflate.
        try:
            return _zlib(data, zlib.MAX_WBITS, limit)
        except BodyTooLarge:
            raise
        except ValueError:
            return _zlib(data, -zlib.MAX_WBITS, limit)
    if coding == "br":
        return _brotli(data, limit)
    if coding == "zstd":
        return _zstd(data, limit)
    raise ValueError(f"unsupported content-encoding {coding!r}")


def _zlib(data: bytes, wbits: int, limit: int) -> bytes:
    out = bytearray()
    rest = data
    while rest:  # gzip allows several members back to back
        decoder = zlib.decompressobj(wbits)
        try:
            out += decoder.decompress(rest, limit + 1 - len(out))
        except zlib.error as exc:
            raise ValueError(f"broken compressed body: {exc}") from None
        if len(out) > limit or decoder.unconsumed_tail:
            raise BodyTooLarge(f"body exceeds {limit} bytes")
        if not decoder.eof:
            raise ValueError("truncated compressed body")
        rest = decoder.unused_data if wbits > 16 else b""
    return bytes(out)


def _brotli(data: bytes, limit: int) -> bytes:
    decoder = brotli.Decompressor()
    try:
        out = decoder.process(data, output_buffer_limit=limit + 1)
    except brotli.error as exc:
        raise ValueError(f"broken brotli body: {exc}") from None
    if len(out) > limit or not decoder.is_finished():
        if len(out) > limit or not decoder.can_accept_more_data():
            raise BodyTooLarge(f"body exceeds {limit} bytes")
        raise ValueError("truncated brotli body")
    return bytes(out)


def _zstd(data: bytes, limit: int) -> bytes:
    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True)
    try:
        out = reader.read(limit + 1)
    except zstandard.ZstdError as exc:
        raise ValueError(f"broken zstd body: {exc}") from None
    if len(out) > limit:
        raise BodyTooLarge(f"body exceeds {limit} bytes")
    return bytes(out)


# --- bodies that do not say how they are encoded ---------------------------------------
#
# A client may compress a body without saying so (no Content-Encoding, or a wrong one);
# upstreams that sniff read it anyway. The gateway reads what is there: compression is
# recognised by its magic bytes (gzip, zlib, zstd) or, for the formats without one
# (brotli, raw deflate), by decoding to text.

_MAX_LAYERS = 4  # gzip in gzip in …: each layer still bounded by the limit


@dataclass(frozen=True)
class Body:
    data: bytes
    sniffed: bool  # decoded beyond what Content-Encoding says: not the bytes to rewrite


def read_body(raw: bytes, content_encoding: str | None, limit: int) -> Body:
    """The body decoded by its Content-Encoding and then by what its bytes show.

    A declared encoding that does not fit the bytes is ignored if the bytes are
    compressed in a recognisable way; otherwise ValueError. BodyTooLarge past `limit`.
    """
    try:
        data, sniffed = decode_body(raw, content_encoding, limit), False
    except BodyTooLarge:
        raise
    except ValueError:
        # Another compression than declared is read; anything else stays undecodable
        # (the fail mode decides: the upstream cannot read it as declared either).
        inner = _uncompressed(raw, limit)
        if inner is None:
            raise
        data, sniffed = inner, True
    for _ in range(_MAX_LAYERS):
        inner = _uncompressed(data, limit)
        if inner is None:
            break
        data, sniffed = inner, True
    if len(data) > limit:
        raise BodyTooLarge(f"body exceeds {limit} bytes")
    return Body(data, sniffed)


def _uncompressed(data: bytes, limit: int) -> bytes | None:
    """`data` decompressed if it is compressed (else None)."""
    decoders: list[Callable[[], bytes]] = []
    if data[:3] == b"\x1f\x8b\x08":
        decoders.append(lambda: _zlib(data, 16 + zlib.MAX_WBITS, limit))
    elif data[:4] == b"\x28\xb5\x2f\xfd":
        decoders.append(lambda: _zstd(data, limit))
    elif len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0:
        decoders.append(lambda: _zlib(data, zlib.MAX_WBITS, limit))  # "x\x9c", "x\xda" …
    elif data and not _textual(data) and not _known_file(data):
        # No magic: brotli (its stream fails on almost anything else) and, on bytes that
        # are no text in any charset (control bytes), raw deflate (no check at all);
        # either is accepted only when the result is text.
        decoders.append(lambda: _text_or_fail(_brotli(data, limit), data))
        if _binary(data):
            decoders.append(lambda: _text_or_fail(_zlib(data, -zlib.MAX_WBITS, limit), data))
    for decoder in decoders:
        try:
            out = decoder()
        except BodyTooLarge:
            raise
        except ValueError:
            continue
        if out:
            return out
    return None


def _text_or_fail(out: bytes, data: bytes) -> bytes:
    """`out` if it is printable text no shorter than what it came from (less a stored
    block's header): random bytes that happen to decode give a few bytes, not a text
    (none in 100,000 random inputs of up to 300 bytes)."""
    short = len(out) < 16 or len(out) + 16 < len(data)
    if short or not _textual(out) or _controls(out) * 100 > len(out):
        raise ValueError("not compressed text")
    return out


def _controls(data: bytes) -> int:
    head = data[:_SNIFF_BYTES]
    return len(head) - len(head.translate(None, _C0_CONTROLS))


_C0_CONTROLS = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


# Files the generic reader hands to extract/file_text: never "decompressed" by guessing.
_FILE_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"\xd0\xcf")


def _binary(data: bytes) -> bool:
    """More control bytes than any text in any charset has (compressed data: ~25 %)."""
    head = data[:_SNIFF_BYTES]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls * 10 > len(head)


_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0xA0)])


def _known_file(data: bytes) -> bool:
    return data.lstrip()[:4].startswith(_FILE_MAGIC) or data[:8].startswith(_FILE_MAGIC)


def _textual(data: bytes) -> bool:
    """UTF-8 (its first 64 KB; a character cut at that end is fine) or UTF-16/32 text."""
    head = data[: 64 * 1024]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        cut = len(head) < len(data) and exc.start >= len(head) - 3
        return cut or unicode_codec(data, None) is not None
    return True


# --- Unicode text other than plain UTF-8 -------------------------------------------------

_BOMS = (  # UTF-32 LE before UTF-16 LE: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Which byte positions (mod 4) of text in each encoding are zero: mostly zero ("high"),
# hardly ever zero ("low"), for text in Latin script (JSON's syntax is ASCII).
_ZERO_PATTERNS = (
    ("utf-32-le", (1, 2, 3), (0,)),
    ("utf-32-be", (0, 1, 2), (3,)),
    ("utf-16-le", (1, 3), (0, 2)),
    ("utf-16-be", (0, 2), (1, 3)),
)
_HIGH, _LOW = 0.6, 0.05
_SNIFF_BYTES = 4096


def unicode_codec(data: bytes, charset: str | None) -> tuple[str, int] | None:
    """(codec, BOM length) of a body that is Unicode text other than plain UTF-8: it
    starts with a byte order mark, or is UTF-16/32 — declared (`charset`, a codec name
    from extract.media.codec) or recognised by where its zero bytes are. None for
    anything else (UTF-8, other declared charsets, binary)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return (_utf8_really(data[len(bom) :]) or codec), len(bom)
    declared = charset or ""
    if declared.startswith(("utf-16", "utf-32")):
        if _utf8_really(data):
            return "utf-8", 0
        if declared in ("utf-16", "utf-32"):
            # No BOM: the byte order its zero bytes show, else big-endian (RFC 2781).
            sniffed = _zero_pattern(data)
            if sniffed is not None and sniffed.startswith(declared):
                return sniffed, 0
            return f"{declared}-be", 0
        return declared, 0
    sniffed = _zero_pattern(data)
    return (sniffed, 0) if sniffed is not None else None


def _utf8_really(data: bytes) -> str | None:
    """ "utf-8" for bytes that only claim to be UTF-16/32 (a BOM or charset in front of
    UTF-8 without a single zero byte): read as what a lenient upstream would read."""
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3 or len(head) == len(data):
            return None
    return "utf-8"


def _zero_pattern(data: bytes) -> str | None:
    head = data[: _SNIFF_BYTES - _SNIFF_BYTES % 4]
    head = head[: len(head) - len(head) % 4]
    if len(head) < 4 or b"\x00" not in head:
        return None
    quarter = len(head) // 4
    zeros = [head[k::4].count(0) / quarter for k in range(4)]
    for codec, high, low in _ZERO_PATTERNS:
        if all(zeros[k] >= _HIGH for k in high) and all(zeros[k] <= _LOW for k in low):
            text = head.decode(codec, errors="replace")
            controls = sum(1 for c in text if c < " " and c not in "\t\n\r")
            if text.count("\ufffd") + controls <= len(text) // 100:
                return codec
    return None


def utf8_body(data: bytes, charset: str | None) -> bytes | None:
    """`data` as UTF-8 without a BOM when it is other Unicode text (unicode_codec);
    None when it needs no change. Undecodable sequences become U+FFFD."""
    found = unicode_codec(data, charset)
    if found is None:
        return None
    codec, bom = found
    return data[bom:].decode(codec, errors="replace").encode("utf-8", errors="replace")
