"""Base64 blobs and ``data:`` URLs → their decoded text, inserted after the blob.

A prompt can carry a value base64-encoded: pasted as a blob, inside a ``data:`` URL
(``data:text/plain;base64,…``), or as a JSON Web Token's payload. A run of base64
characters (standard or URL-safe alphabet, line-wrapped MIME style too) is decoded
when the result is UTF-8 text that is mostly printable; a ``data:`` URL that declares
a text type (``text/*``, JSON, XML) is decoded whatever its content. The decoded text
is normalised again (one level deeper, see pipeline.MAX_DEPTH) and inserted after the
run between line breaks; every character of it stands for the whole run, so a
finding there redacts the encoded run. The run itself stays (a key or token in it is
still a secret).

Compressed text in base64 (``H4sI…``: gzip, or zlib) is inflated and read the same way:
a paste of ``gzip | base64`` is an encoding, not a cipher. Inflating stops at
INFLATE_FACTOR times the decoded bytes (at most INFLATE_CAP), so a small blob cannot
turn into a large text to scan.

Bounded work: the first 64 characters decide first (an image or a key is rejected
after decoding those), decoding is C (``binascii``), and what is decoded is at most
three quarters of the run, at most MAX_DEPTH levels deep.
"""

from __future__ import annotations

import binascii
import re
import zlib
from collections.abc import Callable, Iterator

from checker.normalize.offsets import Rewrite, Rewriter
from checker.normalize.sketch import BASE64_SHAPE, Sketch

MIN_RUN = 12  # characters: "a.b@c.de" is 12 in base64
_PROBE = 64  # characters decoded before a whole run is
PRINTABLE_SHARE = 0.9
INFLATE_FACTOR = 64
INFLATE_CAP = 1 << 20  # bytes of inflated text at most, whatever the blob's length

_RUN = re.compile(rf"[A-Za-z0-9+/_-]{{{MIN_RUN},}}")
_WHITESPACE = re.compile(r"\s")
_SHAPE_RUN = re.compile(rb"[aA]{%d,}" % MIN_RUN)
_NEXT_LINE = re.compile(r"\r?\n([A-Za-z0-9+/_-]{4,}={0,2})(?![A-Za-z0-9+/_=-])")
_DATA_URL = re.compile(r"data:([\w.+-]+/[\w.+-]+)?((?:;[\w.+-]+=[^;,\s]*)*);base64,", re.I)
_TEXT_TYPES = re.compile(r"text/|application/(?:[\w.-]+\+)?(?:json|xml)\b|application/javascript")
_URL_SAFE = str.maketrans("-_", "+/", "\r\n=")
# What binary data decodes to: control characters (not tab and line breaks) and the
# replacement character.
_CONTROL = dict.fromkeys(
    [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0), 0xFFFD]
)

Nested = Callable[[str], str]


def wanted(sketch: Sketch) -> bool:
    """A data: URL, or a run of MIN_RUN alphabet characters with a capital, digit, +
    or / after its first character (what _decode asks of a run outside a data: URL)."""
    if len(sketch.text) < MIN_RUN:
        return False
    return b"data:" in sketch.lower or next(_runs(sketch), None) is not None


def _runs(sketch: Sketch) -> Iterator[tuple[int, int]]:
    """Runs of base64 characters, at least MIN_RUN long, with a capital, digit, + or /
    after the first character, in order. Found on the text's shape (one byte per
    character, so offsets are the text's). Two ways to the same runs: without digits,
    the few capitals inside words ("aA", "AA": acronyms, camelCase) are the quick
    start; with digits every number is one, and a bytes regex over the shape wins."""
    shape = sketch.shape(BASE64_SHAPE)
    if sketch.digits:
        for m in _SHAPE_RUN.finditer(shape):
            if shape.find(b"A", m.start() + 1, m.end()) >= 0:
                yield m.span()
        return
    pairs = (b"aA", b"AA")
    next_hits = [shape.find(pair) for pair in pairs]
    while hits := [i for i in next_hits if i >= 0]:
        i = min(hits)
        start = shape.rfind(b" ", 0, i) + 1
        end = shape.find(b" ", i)
        end = len(shape) if end < 0 else end
        if end - start >= MIN_RUN:
            yield start, end
        next_hits = [
            shape.find(pair, end) if 0 <= hit < end else hit
            for pair, hit in zip(pairs, next_hits, strict=True)
        ]


def rewrite(text: str, nested: Nested | None) -> Rewrite | None:
    if len(text) < MIN_RUN:
        return None
    sketch = Sketch(text)
    runs = list(_runs(sketch))
    declared: dict[int, bool] = {}
    if b"data:" in sketch.lower:
        for m in _DATA_URL.finditer(text):
            declared[m.end()] = _is_text_type(m.group(1))
            run = _RUN.match(text, m.end())
            if run is not None and declared[m.end()]:
                runs.append(run.span())
    # Decoded copies go after the token (the text up to the next white space) their
    # run is in, not right after the run: a JSON Web Token's three parts must stay
    # together for the secret recognizer.
    copies: dict[int, list[tuple[str, int, int]]] = {}
    position = 0
    for start, end in sorted(set(runs)):
        if start < position:
            continue
        end = _extend(text, start, _padded(text, end))
        position = end
        decoded = _decode(text[start:end], declared.get(start, False))
        if decoded is not None:
            token_end = _WHITESPACE.search(text, end)
            at = len(text) if token_end is None else token_end.start()
            copies.setdefault(at, []).append((decoded, start, end))
    if not copies:
        return None
    out = Rewriter(text)
    for at, decoded_runs in sorted(copies.items()):
        out.keep(at)
        for decoded, start, end in decoded_runs:
            out.emit("\n" + (nested(decoded) if nested else decoded) + "\n", start, end)
    return out.result()


def _padded(text: str, end: int) -> int:
    """The run's end with its "=" padding (two at most)."""
    for _ in range(2):
        if text[end : end + 1] == "=":
            end += 1
    return end


def _is_text_type(media_type: str | None) -> bool:
    return media_type is None or bool(_TEXT_TYPES.match(media_type.lower()))


def _extend(text: str, start: int, end: int) -> int:
    """MIME wraps base64 at 64 or 76 characters: take the following lines along."""
    line = text[start:end]
    while len(line) >= 40 and len(line) % 4 == 0 and not line.endswith("="):
        following = _NEXT_LINE.match(text, end)
        if following is None:
            break
        line = following.group(1)
        end = following.end()
    return end


def _decode(run: str, text_type: bool) -> str | None:
    compact = run.translate(_URL_SAFE)
    if not text_type and not any(c.isupper() or c.isdigit() for c in compact[1:]):
        return None  # a long lower-case word ("Vertriebsrunde"), not base64
    if len(compact) % 4 == 1:
        compact = compact[:-1]  # cannot be a whole character; the rest still decodes
    if not text_type and len(compact) > _PROBE:
        probe = _bytes(compact[:_PROBE])
        if probe is None or (_text(probe, partial=True) is None and _wbits(probe) is None):
            return None
    data = _bytes(compact)
    if data is None:
        return None
    inflated = _inflated(data)
    if inflated is not None:
        return _text(inflated, partial=True)
    if text_type:
        return data.decode("utf-8", errors="replace")
    return _text(data)


def _wbits(data: bytes) -> int | None:
    """zlib's window setting for gzip or zlib data (by their magic bytes), else None."""
    if data[:3] == b"\x1f\x8b\x08":
        return 16 + zlib.MAX_WBITS
    if len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0:
        return zlib.MAX_WBITS  # "x\x9c", "x\xda" …
    return None


def _inflated(data: bytes) -> bytes | None:
    """gzip or zlib `data` inflated up to its bound (a cut-off text is still read)."""
    wbits = _wbits(data)
    if wbits is None:
        return None
    try:
        limit = min(INFLATE_CAP, INFLATE_FACTOR * len(data))
        return zlib.decompressobj(wbits).decompress(data, limit) or None
    except zlib.error:
        return None


def _bytes(compact: str) -> bytes | None:
    try:
        return binascii.a2b_base64(compact + "=" * (-len(compact) % 4), strict_mode=True)
    except binascii.Error:
        return None


def _text(data: bytes, partial: bool = False) -> str | None:
    """`data` as text if it is UTF-8 (or UTF-16: PowerShell's -EncodedCommand and
    .NET's Encoding.Unicode write base64 of UTF-16LE) and mostly printable (a probe may
    end mid-character)."""
    wide = _utf16(data)
    if wide is not None:
        return _printable(wide)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not partial or exc.start < len(data) - 3:
            return None
        text = data[: exc.start].decode("utf-8")
    return _printable(text)


def _printable(text: str) -> str | None:
    if not text.strip():
        return None
    printable = len(text.translate(_CONTROL))
    return text if printable >= PRINTABLE_SHARE * len(text) else None


def _utf16(data: bytes) -> str | None:
    """`data` as UTF-16 when it says so (a byte order mark) or looks so (half of its
    bytes, every other one, are zero: Latin text), else None."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        codec = "utf-16"
    elif len(data) >= 4 and data[1::2].count(0) * 2 >= len(data) // 2:
        codec = "utf-16-le"
    elif len(data) >= 4 and data[0::2].count(0) * 2 >= len(data) // 2:
        codec = "utf-16-be"
    else:
        return None
    return data[: len(data) // 2 * 2].decode(codec, errors="replace")
