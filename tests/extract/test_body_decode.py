"""decode_body: every Content-Encoding, bounded by a limit (decompression bombs);
read_body: compression the bytes show; UTF-16/32 and byte order marks."""

from __future__ import annotations

import codecs
import gzip
import zlib

import brotli
import pytest
import zstandard

from extract.body_decode import (
    Body,
    BodyTooLarge,
    decode_body,
    read_body,
    unicode_codec,
    utf8_body,
)

TEXT = "Überweise an DE89 3704 0044 0532 0130 00".encode()
LIMIT = 10 * 1024 * 1024
MB_ZEROS = b"\0" * (1 << 20)


def raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


@pytest.mark.parametrize(
    ("encoding", "encoded"),
    [
        (None, TEXT),
        ("identity", TEXT),
        ("gzip", gzip.compress(TEXT, mtime=0)),
        ("x-gzip", gzip.compress(TEXT, mtime=0)),
        ("GZIP", gzip.compress(TEXT, mtime=0)),
        ("deflate", zlib.compress(TEXT)),
        ("deflate", raw_deflate(TEXT)),
        ("br", brotli.compress(TEXT)),
        ("zstd", zstandard.ZstdCompressor().compress(TEXT)),
        ("gzip, br", brotli.compress(gzip.compress(TEXT, mtime=0))),  # applied in order listed
    ],
)
def test_round_trip(encoding: str | None, encoded: bytes) -> None:
    assert decode_body(encoded, encoding, LIMIT) == TEXT


def test_gzip_members_back_to_back() -> None:
    assert decode_body(gzip.compress(b"Hallo ") + gzip.compress(b"Welt"), "gzip", 100) == (
        b"Hallo Welt"
    )


def gzip_bomb(megabytes: int) -> bytes:
    # Concatenated gzip members are one valid stream: 1 GB of zeros from ~1 MB of input.
    member = gzip.compress(MB_ZEROS, compresslevel=9)
    return member * megabytes


def zstd_bomb(megabytes: int) -> bytes:
    c = zstandard.ZstdCompressor().compressobj()
    return b"".join(c.compress(MB_ZEROS) for _ in range(megabytes)) + c.flush()


def brotli_bomb(megabytes: int) -> bytes:
    c = brotli.Compressor(quality=1)
    return b"".join(c.process(MB_ZEROS) for _ in range(megabytes)) + c.finish()


@pytest.mark.parametrize(
    ("encoding", "bomb"),
    [("gzip", gzip_bomb), ("zstd", zstd_bomb), ("br", brotli_bomb)],
)
def test_bombs_over_a_gigabyte_stop_at_the_limit(encoding: str, bomb) -> None:  # type: ignore[no-untyped-def]
    data = bomb(1100)  # 1.1 GB once inflated
    assert len(data) < 2 * 1024 * 1024
    with pytest.raises(BodyTooLarge):
        decode_body(data, encoding, LIMIT)


def test_plain_body_over_the_limit() -> None:
    with pytest.raises(BodyTooLarge):
        decode_body(b"x" * 101, None, 100)


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("gzip", b"not gzip at all"),
        ("gzip", gzip.compress(TEXT, mtime=0)[:-12]),  # truncated
        ("br", b"\xff\xff\xff"),
        ("zstd", b"\x28\xb5\x2f\xfd garbage"),
        ("compress", TEXT),
        ("rot13", TEXT),
    ],
)
def test_broken_or_unknown_encodings_are_value_errors(encoding: str, data: bytes) -> None:
    with pytest.raises(ValueError) as caught:
        decode_body(data, encoding, LIMIT)
    assert not isinstance(caught.value, BodyTooLarge)


# --- read_body: compression the bytes show, whatever the header says --------------------

JSON_TEXT = '{"messages": [{"role": "user", "content": "Grüße an DE89 3704 0044"}]}'.encode()


@pytest.mark.parametrize(
    ("encoding", "raw"),
    [
        (None, gzip.compress(JSON_TEXT, mtime=0)),
        (None, zlib.compress(JSON_TEXT)),
        (None, raw_deflate(JSON_TEXT)),
        (None, brotli.compress(JSON_TEXT)),
        (None, zstandard.ZstdCompressor().compress(JSON_TEXT)),
        (None, gzip.compress(gzip.compress(JSON_TEXT, mtime=0), mtime=0)),
        ("gzip", gzip.compress(gzip.compress(JSON_TEXT, mtime=0), mtime=0)),  # declared once
        ("br", gzip.compress(JSON_TEXT, mtime=0)),  # declared wrong
        ("identity", zstandard.ZstdCompressor().compress(JSON_TEXT)),
    ],
    ids=[
        "gzip",
        "zlib",
        "raw-deflate",
        "brotli",
        "zstd",
        "gzip-twice",
        "declared-once",
        "wrong",
        "identity",
    ],
)
def test_read_body_finds_compression_by_its_bytes(encoding: str | None, raw: bytes) -> None:
    body = read_body(raw, encoding, LIMIT)
    assert body.data == JSON_TEXT and body.sniffed


@pytest.mark.parametrize(
    "raw",
    [
        JSON_TEXT,
        b"x^2 + y^2 = z^2",  # looks like a zlib header, is text
        "Grüße an DE89".encode("latin-1"),  # no UTF-8, but text: never "decompressed"
        b"%PDF-1.4\n" + bytes(range(256)) * 4,
        b"PK\x03\x04" + bytes(range(256)) * 4,
        bytes(range(256)) * 4,  # binary that is no compression
    ],
)
def test_read_body_leaves_other_bytes_alone(raw: bytes) -> None:
    assert read_body(raw, None, LIMIT) == Body(raw, sniffed=False)


def test_read_body_keeps_the_limit_for_sniffed_bombs() -> None:
    bomb = gzip.compress(b"\0" * (4 << 20), mtime=0)
    with pytest.raises(BodyTooLarge):
        read_body(bomb, None, 1 << 20)
    with pytest.raises(BodyTooLarge):
        read_body(gzip.compress(bomb, mtime=0), "gzip", 1 << 20)


def test_read_body_undecodable_stays_an_error() -> None:
    with pytest.raises(ValueError):
        read_body(b"definitely not gzip", "gzip", LIMIT)


# --- Unicode other than UTF-8 --------------------------------------------------------------

TEXT_DE = '{"q": "Grüße, DE89 3704 0044 0532 0130 00"}'


@pytest.mark.parametrize(
    ("data", "charset", "codec"),
    [
        (codecs.BOM_UTF8 + TEXT_DE.encode(), None, ("utf-8", 3)),
        (codecs.BOM_UTF16_LE + TEXT_DE.encode("utf-16-le"), None, ("utf-16-le", 2)),
        (codecs.BOM_UTF16_BE + TEXT_DE.encode("utf-16-be"), None, ("utf-16-be", 2)),
        (codecs.BOM_UTF32_LE + TEXT_DE.encode("utf-32-le"), None, ("utf-32-le", 4)),
        (codecs.BOM_UTF32_BE + TEXT_DE.encode("utf-32-be"), None, ("utf-32-be", 4)),
        (TEXT_DE.encode("utf-16-le"), None, ("utf-16-le", 0)),  # recognised by its zeros
        (TEXT_DE.encode("utf-16-be"), None, ("utf-16-be", 0)),
        (TEXT_DE.encode("utf-32-le"), None, ("utf-32-le", 0)),
        (TEXT_DE.encode("utf-32-be"), None, ("utf-32-be", 0)),
        (TEXT_DE.encode("utf-16-le"), "utf-16", ("utf-16-le", 0)),  # declared, order sniffed
        (TEXT_DE.encode("utf-16-be"), "utf-16-be", ("utf-16-be", 0)),
        (codecs.BOM_UTF16_LE + TEXT_DE.encode(), None, ("utf-8", 2)),  # a BOM lies
        (TEXT_DE.encode(), "utf-16", ("utf-8", 0)),  # so does a charset
        (TEXT_DE.encode(), None, None),
        (TEXT_DE.encode("latin-1"), "iso8859-1", None),  # other charsets: the readers'
        (b"\x89PNG\r\n\x1a\n" + bytes(64), None, None),
    ],
)
def test_unicode_codec(data: bytes, charset: str | None, codec: tuple[str, int] | None) -> None:
    assert unicode_codec(data, charset) == codec
    if codec is not None:
        assert utf8_body(data, charset) == TEXT_DE.encode()
