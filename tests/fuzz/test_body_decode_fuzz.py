"""decode_body on bad input: bytes within the limit, BodyTooLarge, or ValueError — nothing else.

Compression bombs (gzip, deflate, br, zstd) that expand past 1 GB are built once per
session from repeated compressed chunks, in well under a second each; decoding one must
stop at the limit, holding memory in the order of the limit (tracemalloc), never the GB.
"""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from collections.abc import Callable
from functools import cache

import brotli
import pytest
import zstandard
from hypothesis import example, given
from hypothesis import strategies as st

from extract.body_decode import BodyTooLarge, decode_body
from tests.fuzz.support import budget, mutated_bytes, tick

MB = 1 << 20
GB = 1 << 30
CODINGS = ("gzip", "x-gzip", "deflate", "br", "zstd", "identity")
HEADERS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            *CODINGS,
            "GZIP",
            " gzip ",
            "gzip, gzip",
            "compress",
            "x-compress",
            "",
            ",",
            " , ,",
            "gzip;q=1",
            "chunked",
            "aes128gcm",
            "\udcff",
            "gzip\r\n",
        ]
    ),
    st.lists(st.sampled_from(CODINGS), max_size=4).map(", ".join),
    st.text(max_size=12),
)


def decode(raw: bytes, header: str | None, limit: int) -> bytes | None:
    """The property: bytes within the limit, or BodyTooLarge / ValueError (None)."""
    try:
        out = decode_body(raw, header, limit)
    except ValueError:  # BodyTooLarge is a ValueError too
        return None
    assert isinstance(out, bytes) and len(out) <= limit
    return out


def _encode(data: bytes, coding: str) -> bytes:
    if coding in ("gzip", "x-gzip"):
        return gzip.compress(data, 1)
    if coding == "deflate":
        return zlib.compress(data, 1)
    if coding == "br":
        return brotli.compress(data, quality=1)
    if coding == "zstd":
        return zstandard.ZstdCompressor(level=1).compress(data)
    return data


@budget(4)
@given(raw=st.binary(max_size=512), header=HEADERS, limit=st.integers(0, 4096))
@example(raw=b"\x1f\x8b", header="gzip", limit=10)
@example(raw=b"", header="br", limit=0)
def test_random_bytes_and_headers(raw: bytes, header: str | None, limit: int) -> None:
    tick()
    decode(raw, header, limit)


@budget(3)
@given(
    data=st.binary(max_size=2048),
    codings=st.lists(st.sampled_from(CODINGS), max_size=3),
    limit=st.integers(0, 4096),
)
def test_round_trip_through_every_encoding_chain(
    data: bytes, codings: list[str], limit: int
) -> None:
    """Encoded with `codings` (applied in order): decodes to the data, or BodyTooLarge
    exactly when some decoder's output passes the limit."""
    tick()
    layers = [data]
    for coding in codings:
        layers.append(_encode(layers[-1], coding))
    header = ", ".join(codings)
    # What each decoder outputs is held to the limit; identity passes its input through.
    decoded = [len(layers[i]) for i, coding in enumerate(codings) if coding != "identity"]
    if max([len(data), *decoded]) > limit:
        with pytest.raises(BodyTooLarge):
            decode_body(layers[-1], header, limit)
    else:
        assert decode_body(layers[-1], header, limit) == data


@budget(3)
@given(
    data=st.binary(min_size=1, max_size=1024),
    coding=st.sampled_from(["gzip", "deflate", "br", "zstd"]),
    raw_deflate=st.booleans(),
    members=st.integers(1, 3),
    edit=st.data(),
)
def test_damaged_streams(
    data: bytes, coding: str, raw_deflate: bool, members: int, edit: st.DataObject
) -> None:
    """Truncated, bit-flipped, spliced streams (and gzip members, raw deflate)."""
    tick()
    if coding == "deflate" and raw_deflate:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        stream = compressor.compress(data) + compressor.flush()
    else:
        stream = _encode(data, coding)
    if coding in ("gzip", "zstd"):
        stream *= members  # concatenated members / frames
    damaged = edit.draw(mutated_bytes(stream))
    decode(damaged, coding, 1 << 16)
    truncated = stream[: edit.draw(st.integers(0, len(stream)))]
    out = decode(truncated, coding, 1 << 16)
    if out is not None:  # whatever a truncated stream yields is a prefix of the data
        assert (data * members).startswith(out)


# --- compression bombs -------------------------------------------------------------------

CHUNK = 16 * MB  # zeros, compressed once and repeated


@cache
def gzip_bomb() -> bytes:
    """70 gzip members of 16 MB zeros each (1.1 GB), 1.1 MB on the wire."""
    return gzip.compress(bytes(CHUNK), 9) * 70


def _flushed_deflate(wbits: int) -> tuple[bytes, bytes, bytes]:
    """(header, one 16 MB block run ending in a full flush, final empty block + trailer).

    After Z_FULL_FLUSH the compressor forgets its window, so the next 16 MB of zeros
    compress to the same bytes: the run can be repeated as often as wanted.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    first = compressor.compress(bytes(CHUNK)) + compressor.flush(zlib.Z_FULL_FLUSH)
    run = compressor.compress(bytes(CHUNK)) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush()
    header = first[: len(first) - len(run)]
    assert first[len(header) :] == run
    return header, run, end


@cache
def deflate_bomb(raw: bool) -> bytes:
    """One deflate stream (zlib-wrapped, or raw) of 70 × 16 MB zeros (1.1 GB)."""
    header, run, end = _flushed_deflate(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
    return header + run * 70 + end  # the adler32 never gets checked: decoding stops first


@cache
def brotli_bomb() -> bytes:
    """One brotli stream fed 1.1 GB of zeros in 1 MB pieces (quality 0: ~0.3 s)."""
    compressor = brotli.Compressor(quality=0)
    piece = bytes(MB)
    out = [compressor.process(piece) for _ in range(1100)]
    return b"".join([*out, compressor.finish()])


@cache
def zstd_bomb() -> bytes:
    """17 zstd frames of 64 MB zeros each (1.1 GB)."""
    return zstandard.ZstdCompressor(level=3).compress(bytes(64 * MB)) * 17


@cache
def nested_bomb() -> bytes:
    """gzip of the gzip bomb: "Content-Encoding: gzip, gzip"."""
    return gzip.compress(gzip_bomb(), 9)


BOMBS: dict[str, tuple[Callable[[], bytes], str, int]] = {
    # name: (builder, Content-Encoding, decoded size by construction)
    "gzip": (gzip_bomb, "gzip", 70 * CHUNK),
    "deflate": (lambda: deflate_bomb(False), "deflate", 70 * CHUNK),
    "raw-deflate": (lambda: deflate_bomb(True), "deflate", 70 * CHUNK),
    "br": (brotli_bomb, "br", 1100 * MB),
    "zstd": (zstd_bomb, "zstd", 17 * 64 * MB),
    "gzip-gzip": (nested_bomb, "gzip, gzip", 70 * CHUNK),
}


def test_bombs_expand_past_a_gigabyte() -> None:
    """What the bombs hold, read from their own headers rather than by inflating them."""
    for name, (build, _, size) in BOMBS.items():
        tick()
        assert size > GB and len(build()) < 2 * MB, name
    assert zstandard.frame_content_size(zstd_bomb()) == 64 * MB
    assert int.from_bytes(gzip_bomb()[-4:], "little") == CHUNK  # ISIZE of the last member


@budget(0.3)
@given(name=st.sampled_from(sorted(BOMBS)), limit=st.integers(0, 24 * MB))
@example(name="br", limit=10 * MB)  # the default policy's max_body_bytes
@example(name="zstd", limit=0)
def test_bombs_stop_at_the_limit(name: str, limit: int) -> None:
    tick()
    build, header, _ = BOMBS[name]
    raw = build()
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLarge):
            decode_body(raw, header, limit)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The decoders hold at most the limit, plus the piece that crossed it, twice over.
    assert peak <= 3 * limit + 2 * len(raw) + 32 * MB, f"{name}: {peak} bytes at {limit}"
