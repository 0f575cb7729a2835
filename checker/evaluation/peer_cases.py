"""The peers' test tables as units the peer suite can score (see peers.py).

Presidio's recognizer tests and python-stdnum's doctest numbers are extracted by
``tests/peers/build.py`` from pinned commits into ``tests/peers/*.json`` — test data of a
source checkout, never shipped in the package (an installed wheel has no peer suite).

A *unit* is one thing a peer expects: a value found (a positive, with its gold span
where the peer gives one) or a text without any finding of the type (a negative).
Presidio's rows are used as written; python-stdnum's numbers are placed in three short
German texts each: after a cue word, in a sentence without one, and alone in a table
cell.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

PEERS_DIR = Path(__file__).resolve().parents[2] / "tests" / "peers"
SOURCES = ("presidio", "stdnum")

# Presidio's entity names → Leitplanke's. Same name unless listed.
PRESIDIO_ENTITIES = {
    "DE_FUEHRERSCHEIN": "DE_DRIVERS_LICENSE",
}
# Types Presidio's German recognizers cover that Leitplanke does not emit, and why.
OUT_OF_SCOPE = {
    "DE_BSNR": (
        "Betriebsstättennummer: identifies a practice or hospital site (an organisation), "
        "not a person; no check digit, so it is any 9-digit number"
    ),
    "DE_HANDELSREGISTER": (
        "Handelsregisternummer: identifies a registered company in a public register; "
        "a data class's own `patterns` can flag it as confidential where wanted"
    ),
    "DE_PLZ": (
        "Postleitzahl: a postcode alone covers thousands of people; it is part of "
        "STREET_ADDRESS when it stands in an address"
    ),
}
# python-stdnum module → entity type.
STDNUM_ENTITIES = {
    "iban": "IBAN_CODE",
    "be.iban": "IBAN_CODE",
    "eu.vat": "DE_VAT_ID",
    "vatin": "DE_VAT_ID",
    "de.vat": "DE_VAT_ID",
    "de.idnr": "DE_TAX_ID",
    "de.stnr": "DE_TAX_NUMBER",
}
# How python-stdnum's numbers are placed in text: a cue word before the number, a
# sentence without any cue, and a table cell under a neutral header ("bare").
CUE_TEMPLATES = {
    "IBAN_CODE": "Bitte überweisen Sie den Betrag auf die IBAN {}.",
    "DE_VAT_ID": "Unsere USt-IdNr. lautet {}.",
    "DE_TAX_ID": "Meine Steuer-ID ist {}.",
    "DE_TAX_NUMBER": "Die Steuernummer der Kanzlei ist {}.",
}
PROSE_TEMPLATE = "Auf dem Zettel steht {}, sonst nichts."
CELL_TEMPLATE = "Pos;Angabe\n1;{}\n"
VARIANTS = ("cue", "prose", "cell")

DEFAULT_MODES = ("default", "leniency=1")  # Presidio's PhoneRecognizer default leniency is 1


@dataclass(frozen=True)
class Unit:
    source: str  # "presidio" | "stdnum"
    case_id: str
    origin: str  # "path:line" in the peer's repository
    peer_entity: str  # the peer's name for the type
    entity: str  # Leitplanke's name
    text: str
    positive: bool  # what the peer expects
    span: tuple[int, int] | None  # where the value stands (None: not given by the peer)
    variant: str  # "as written" (Presidio) or one of VARIANTS (python-stdnum)
    note: str = ""  # why the peer's expectation is what it is, when it is not plain

    @property
    def value(self) -> str:
        """The value the unit is about: the gold span, else the whole text."""
        if self.span is not None:
            return self.text[self.span[0] : self.span[1]]
        return self.text.strip()


def available() -> bool:
    return all((PEERS_DIR / f"{source}.json").is_file() for source in SOURCES)


@cache
def header(source: str) -> dict[str, Any]:
    """The data file's header: repository, commit, licence (without the cases)."""
    data = _read(source)
    return {k: v for k, v in data.items() if k not in ("cases", "numbers")}


@cache
def _read(source: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PEERS_DIR / f"{source}.json").read_text("utf-8"))
    return data


def load_units() -> list[Unit]:
    return presidio_units(_read("presidio")["cases"]) + stdnum_units(_read("stdnum")["numbers"])


# --- Presidio ----------------------------------------------------------------------------


def _expectation(record: dict[str, Any], text: str) -> tuple[bool, list[tuple[int, int]] | None]:
    """(positive?, gold spans or None) of one test row."""
    if record["call"] == "validate_result":
        # True: validated (MAX_SCORE); None: kept at the pattern score; False: dropped.
        positive = record["expected"] is not False
        return positive, [(0, len(text))] if positive else []
    spans = record.get("spans")
    if spans is None:
        return record["expected_len"] > 0, None
    return record["expected_len"] > 0, [(int(s), int(e)) for s, e in spans]


LOW_SCORE = 0.2  # Presidio's "barely any evidence" (its phone matches score 0.4 as a rule)


def _low_spans(record: dict[str, Any]) -> set[tuple[int, int]]:
    """Spans a row expects only at a near-zero score (Presidio's unspecified IPv6 "::");
    its scores go with its spans in order."""
    scores: list[list[Any]] = record.get("scores") or []
    spans = record.get("spans") or []
    return {
        (int(s), int(e))
        for (s, e), (_lo, hi) in zip(spans, scores, strict=False)
        if isinstance(hi, int | float) and hi <= LOW_SCORE
    }


def presidio_units(cases: Iterable[dict[str, Any]]) -> list[Unit]:
    """Units of the rows in the recognizer's default set-up; rows of other set-ups
    (another leniency, strict checksums, extra regions) only add notes and the spans
    that only they expect."""
    units: list[Unit] = []
    for case in cases:
        text, peer_entity = case["text"], case["entity"]
        records = case["records"]
        default = [r for r in records if r["mode"] in DEFAULT_MODES] or records[:1]
        others = [r for r in records if r not in default]
        origin = f"{default[0]['path'].rsplit('/', 1)[-1]}:{default[0]['line']}"

        entity = PRESIDIO_ENTITIES.get(peer_entity, peer_entity)
        case_unit = partial(Unit, "presidio", case["id"], origin, peer_entity, entity, text)

        def unit(positive: bool, span: tuple[int, int] | None, note: str) -> Unit:
            return case_unit(positive, span, "as written", note)  # noqa: B023 (called at once)

        verdicts = [_expectation(r, text) for r in default]
        positive = any(p for p, _ in verdicts)
        disagree = [r["mode"] for r in others if _expectation(r, text)[0] != positive]
        note = f"Presidio's test with {disagree[0]} expects the opposite" if disagree else ""
        if not positive:
            units.append(unit(False, None, note))
            continue
        low = set().union(*(_low_spans(r) for r in default))
        low_note = f"expected only at a score of at most {LOW_SCORE}"
        spanned = [spans for p, spans in verdicts if p and spans]
        counts = [r["expected_len"] for r in default if r["call"] == "analyze"]
        spans: list[tuple[int, int] | None] = (
            list(spanned[0]) if spanned else [None] * max(counts, default=1)
        )
        units.extend(unit(True, span, note or (low_note if span in low else "")) for span in spans)
        for record in others:
            _, other_spans = _expectation(record, text)
            for span in other_spans or []:
                if span not in spans:
                    spans.append(span)
                    units.append(unit(True, span, f"expected only with {record['mode']}"))
    return units


# --- python-stdnum ---------------------------------------------------------------------


def place(entity: str, variant: str, number: str) -> tuple[str, tuple[int, int]]:
    """The text for a number in a variant, and where the number stands in it."""
    template = {
        "cue": CUE_TEMPLATES[entity],
        "prose": PROSE_TEMPLATE,
        "cell": CELL_TEMPLATE,
    }[variant]
    value = number.strip()
    text = template.format(value)
    start = template.index("{}")
    return text, (start, start + len(value))


def stdnum_units(numbers: Iterable[dict[str, Any]]) -> list[Unit]:
    units: list[Unit] = []
    seen: set[tuple[str, str]] = set()
    for number in numbers:
        entity = STDNUM_ENTITIES[number["module"]]
        if (entity, number["number"].strip()) in seen:
            continue  # listed twice (test_be_iban.doctest, with two BICs)
        seen.add((entity, number["number"].strip()))
        origin = f"{number['path'].rsplit('/', 1)[-1]}:{number['line']}"
        for variant in VARIANTS:
            text, span = place(entity, variant, number["number"])
            units.append(
                Unit(
                    "stdnum",
                    f"{number['id']}:{variant}",
                    origin,
                    number["module"],
                    entity,
                    text,
                    bool(number["valid"]),
                    span,
                    variant,
                    number["how"],
                )
            )
    return units


_PROSE = re.compile(r"[a-zäöüß]{3,}")


def bare(unit: Unit) -> bool:
    """The value is the whole text (or the whole table cell): nothing else to go by.
    Without a gold span, a text without any lower-case word is taken as bare."""
    if unit.variant == "cell":
        return True
    if unit.variant != "as written":
        return False
    if unit.span is None:
        return _PROSE.search(unit.text) is None
    return unit.value == unit.text.strip()
