"""Offset maps: findings on the normalised text come back to the original characters."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.config import ScanConfig
from checker.normalize.invisible import INVISIBLE
from checker.normalize.offsets import Normalized, Rewriter
from checker.normalize.pipeline import normalize
from checker.scan import Scanner
from policy.loader import load_policy

IBAN = "DE89370400440532013000"


def test_rewriter_keeps_skips_and_emits() -> None:
    text = "ab&#64;cd\u200bef"
    out = Rewriter(text)
    out.replace(2, 7, "@")  # lumped: "@" stands for "&#64;"
    out.keep(9)
    out.skip(10)  # the zero-width space goes
    rewritten = out.result()
    assert rewritten is not None
    assert rewritten.text == "ab@cdef"
    view = Normalized(text, rewritten.text, (rewritten.map,))
    assert view.to_original(0, 2) == (0, 2)
    assert view.to_original(2, 3) == (2, 7)
    assert view.to_original(3, 7) == (7, 12)  # "cdef" covers the deleted character
    assert view.to_original(1, 4) == (1, 8)


def test_unchanged_text_has_no_map() -> None:
    out = Rewriter("nichts zu tun")
    out.keep(5)
    out.replace(7, 9, "zu")
    assert out.result() is None


def test_maps_compose_across_steps() -> None:
    # entity → fullwidth digit (NFKC) → ASCII, with a zero-width space in between
    text = "IBAN: D&#xFF25;\u200b89 3704 0044 0532 0130 00"
    view = normalize(text)
    assert view.text == "IBAN: DE89 3704 0044 0532 0130 00"
    start = view.text.index("DE89")
    o_start, o_end = view.to_original(start, len(view.text))
    assert text[o_start:o_end] == "D&#xFF25;\u200b89 3704 0044 0532 0130 00"
    assert view.to_original(start + 1, start + 2) == (text.index("&"), text.index("\u200b"))


def test_decoded_base64_maps_to_the_whole_run() -> None:
    import base64

    blob = base64.b64encode(f"Konto {IBAN} bitte".encode()).decode()
    text = f"Anhang {blob} Ende"
    view = normalize(text)
    start = view.text.index(IBAN)
    assert view.to_original(start, start + len(IBAN)) == (7, 7 + len(blob))


def test_every_format_character_is_invisible() -> None:
    """The class in invisible.py holds every "Cf" character this Python knows."""
    import re

    invisible = re.compile(f"[{INVISIBLE}]")
    missing = [
        f"U+{cp:04X}"
        for cp in range(0x110000)
        if unicodedata.category(chr(cp)) == "Cf" and not invisible.match(chr(cp))
    ]
    assert missing == []


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner(ScanConfig.from_policy(load_policy().policy))


_INVISIBLE = st.sampled_from(
    [
        "\u200b",
        "\u200c",
        "\u200d",
        "\u2060",
        "\ufeff",
        "\u00ad",
        "\u202e",
        "\u2066",
        "\ufe0f",
        "\U000e0041",
        "\u034f",
        "\u180e",
    ]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    insertions=st.lists(st.tuples(st.integers(0, len(IBAN)), _INVISIBLE), max_size=12),
    prefix=st.sampled_from(["IBAN: ", "Bitte überweisen an ", "Konto\n", ""]),
    suffix=st.sampled_from([" danke.", "", "\nGruß"]),
)
def test_invisible_characters_never_hide_or_shift_an_iban(
    scanner: Scanner, insertions: list[tuple[int, str]], prefix: str, suffix: str
) -> None:
    """Wherever invisible characters go, the IBAN is found, and its original span runs
    from its first character to its last: the invisibles inside are covered, those
    before or after it are not."""
    chars = list(IBAN)
    pieces = [[] for _ in range(len(IBAN) + 1)]  # invisibles before char i (i == len: after)
    for position, char in insertions:
        pieces[position].append(char)
    body = "".join("".join(pieces[i]) + c for i, c in enumerate(chars)) + "".join(pieces[-1])
    text = prefix + body + suffix
    findings = [f for f in scanner.scan_text(text) if f.entity_type == "IBAN_CODE"]
    assert len(findings) == 1
    (finding,) = findings
    first = len(prefix) + len("".join(pieces[0]))
    last = len(prefix) + len(body) - len("".join(pieces[-1]))
    assert (finding.start, finding.end) == (first, last)
    assert finding.value == IBAN
