"""Decode a request body's Content-Encoding without ever holding more than a limit.

mitmproxy's own decoding inflates the whole body first; a 10 KB gzip bomb becomes
a gigabyte in memory before anyone can say "too large". Here every decoder stops
one byte past `limit`.
"""

from __future__ import annotations

import io
import zlib

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
