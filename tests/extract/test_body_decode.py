"""decode_body: every Content-Encoding, bounded by a limit (decompression bombs)."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
import zstandard

from extract.body_decode import BodyTooLarge, decode_body

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
