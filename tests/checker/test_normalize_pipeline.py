"""The pipeline as a whole: cheap gates that never skip work, linear cost, German text
untouched."""

from __future__ import annotations

import base64
import gc
import gzip
import time
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.normalize import (
    base64_blobs,
    email_obfuscation,
    homoglyphs,
    html_entities,
    identifiers,
    invisible,
    json_escapes,
    percent,
    spaced,
    spaces,
    unicode_form,
)
from checker.normalize.pipeline import normalize
from checker.normalize.sketch import Sketch

STEPS = {
    "json_escapes": (json_escapes.wanted, json_escapes.rewrite),
    "html_entities": (html_entities.wanted, html_entities.rewrite),
    "percent": (percent.wanted, percent.rewrite),
    "base64_blobs": (base64_blobs.wanted, lambda t: base64_blobs.rewrite(t, None)),
    "invisible": (invisible.wanted, invisible.rewrite),
    "spaces": (spaces.wanted, spaces.rewrite),
    "unicode_form": (unicode_form.wanted, unicode_form.rewrite),
    "homoglyphs": (homoglyphs.wanted, homoglyphs.rewrite),
    "email_obfuscation": (email_obfuscation.wanted, email_obfuscation.rewrite),
    "spaced": (spaced.wanted, spaced.rewrite),
    "identifiers": (identifiers.wanted, identifiers.rewrite),
}

# Characters and pieces the steps react to, mixed with ordinary ones.
_PIECES = st.sampled_from(
    [
        "a",
        "Z",
        "q",
        "7",
        "0",
        " ",
        "  ",
        "\n",
        "\t",
        ".",
        "-",
        "_",
        "/",
        "@",
        "%",
        "&",
        ";",
        "#",
        "\\",
        "u",
        "(",
        ")",
        "[",
        "]",
        "<",
        ">",
        "=",
        "+",
        "at",
        "ät",
        "dot",
        "punkt",
        "de",
        "DE89",
        "%40",
        "%20",
        "%C3%BC",
        "&#64;",
        "&amp;",
        "&commat;",
        r"\u0040",
        r"\ud83d\ude00",
        "\u200b",
        "\u00ad",
        "\u00a0",
        "\u3000",
        "Ｄ",
        "８",
        "𝟖",
        "＠",
        "е",
        "Е",
        "α",
        "ü",
        "ß",
        "é",
        "e\u0301",
        "\u0301",
        "data:text/plain;base64,",
        "TWF4IE11c3Rlcm1hbm4=",
        "eyJhIjoiYiJ9",
        "3704",
        "4111",
        "0044",
        "lz6311t47",
        "Ausweis",
    ]
)
_TEXTS = st.lists(_PIECES, max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=_TEXTS)
def test_gates_are_necessary(text: str) -> None:
    """A step whose gate says "nothing here" would not have changed the text either."""
    sketch = Sketch(text)
    for name, (wanted, rewrite) in STEPS.items():
        rewritten = rewrite(text)
        if rewritten is not None and rewritten.text != text:
            assert wanted(sketch), name


@settings(max_examples=200, deadline=None)
@given(text=_TEXTS)
def test_every_normalised_span_maps_into_the_original(text: str) -> None:
    view = normalize(text)
    for start in range(len(view.text)):
        o_start, o_end = view.to_original(start, start + 1)
        assert 0 <= o_start < o_end <= len(text)
    if view.text:
        assert view.to_original(0, len(view.text))[1] <= len(text)


def test_clean_german_text_is_left_as_it_is() -> None:
    text = (
        "Sehr geehrte Damen und Herren,\n\nvielen Dank für Ihre Anfrage vom 12.03.2025. "
        "Die Größe des Maßbands beträgt 1,50 m; Lieferung frei Haus (außer Inseln). "
        "Grüße aus Köln — Ihr Vertriebsteam „Süd“ … bis bald!"
    )
    view = normalize(text)
    assert not view.changed and view.text == text


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# Adversarial inputs for each step: a quadratic step would take 16 times as long for
# four times the input; a linear one about 4 times. The bound (10) and the floor (10 ms,
# below which a machine's load decides) leave room for noise.
ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "at": lambda n: "@" * n,
    "digits": lambda n: "7" * n,
    "letters": lambda n: "a" * n,
    "backslashes": lambda n: "\\" * n,
    "percent": lambda n: "%41" * (n // 3),
    "entities": lambda n: "&#64;" * (n // 5),
    "json": lambda n: r"\u0041" * (n // 6),
    "invisible": lambda n: "a\u200b" * (n // 2),
    "spaced": lambda n: "a " * (n // 2),
    "marks": lambda n: "a." * (n // 2),
    "spelled": lambda n: "a at b dot " * (n // 11),
    "brackets": lambda n: "[at]" * (n // 4),
    "combining": lambda n: "e" + "\u0301\u0316" * (n // 2),
    "homoglyphs": lambda n: "аa " * (n // 3),
    "iban-starts": lambda n: "de89 " * (n // 5),
    "base64": lambda n: _b64("IBAN DE89 3704 0044 0532 0130 00 " * (n // 45))[:n],
    "gzip-base64": lambda n: (_gzip_b64("Konto DE89 3704 0044 0532 0130 00 ") + " ") * (n // 81),
    "separators": lambda n: "DE89/" + "1/2:3,4\t" * (n // 9),
    "digit-groups": lambda n: "1/22/333:4444," * (n // 14),
    "other-digits": lambda n: "\u0668\u0669 " * (n // 3),
    "quotes": lambda n: '"a"@' * (n // 4),
    "hex-escapes": lambda n: r"\x41" * (n // 4),
    "nested-entities": lambda n: "&amp;amp;amp;#64;" * (n // 17),
    "strike-through": lambda n: "8\u0336" * (n // 2),
    "keycaps-flags": lambda n: "8\u20e3\U0001f1e9" * (n // 3),
    "utf16-base64": lambda n: (
        (base64.b64encode("IBAN DE89 3704".encode("utf-16-le")).decode() + " ") * (n // 41)
    ),
    "markup-separators": lambda n: "DE89" + " `1` |" * (n // 6),
}


def _gzip_b64(text: str) -> str:
    return base64.b64encode(gzip.compress(text.encode(), mtime=0)).decode()


def _seconds(text: str) -> float:
    """CPU seconds (not wall-clock: other processes must not count), the best of three,
    without the garbage collector's pauses."""
    best = float("inf")
    for _ in range(3):
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            normalize(text)
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
    return best


@pytest.mark.parametrize("make", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_cost_grows_linearly(make: Callable[[int], str]) -> None:
    small, large = _seconds(make(40_000)), _seconds(make(160_000))
    assert large < 10 * max(small, 0.01)
