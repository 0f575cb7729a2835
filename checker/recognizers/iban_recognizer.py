"""IBANs of every country in the IBAN registry, as people write them (``IBAN_CODE``)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from presidio_analyzer import EntityRecognizer, Pattern, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import IbanRecognizer as _UpstreamIbanRecognizer
from stdnum import iban, numdb

from checker.recognizers.results import pattern_result

# Where an IBAN can start: a country code, an optional space, the two check digits, not
# glued to a letter or digit before it. The rest is walked character by character.
_START_RE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2}) ?(\d{2})")
_SEPARATORS = " .-"  # one between two characters: "DE89 3704", "NO07.8380", "ES15-0049"
# For explanations: the start; the rest of the IBAN is walked (see _walk).
_PATTERN = Pattern(
    "IBAN (country code + check digits, then the country's length)", _START_RE.pattern, 0.5
)
CONTEXT = ["iban", "konto", "kontonummer", "bankverbindung", "überweisung", "account", "bank"]


@cache
def iban_lengths() -> dict[str, int]:
    """Country code -> IBAN length, from python-stdnum's copy of the SWIFT registry."""
    lengths = {}
    for _length, cc, _value, props, _children in numdb.get("iban").prefixes:
        bban = props.get("bban", "")
        lengths[cc] = 4 + sum(int(n) for n in re.findall(r"(\d+)!", bban))
    return lengths


def _walk(text: str, start: int, length: int) -> int | None:
    """End of the IBAN of `length` characters starting at `start` (single separators
    allowed between characters), or None when it is shorter or runs on."""
    count, i, n = 0, start, len(text)
    while i < n and count < length:
        char = text[i]
        if char.isascii() and char.isalnum():
            count += 1
            i += 1
        elif (
            char in _SEPARATORS
            and count
            and i + 1 < n
            and text[i + 1].isascii()
            and text[i + 1].isalnum()
        ):
            i += 1
        else:
            return None
    if count < length:
        return None
    # The next character must not continue the number: "…3000" + "1" is no IBAN.
    if i < n and text[i].isascii() and text[i].isalnum():
        return None
    return i


class IbanRecognizer(_UpstreamIbanRecognizer):
    """Recognize IBANs of all countries in the registry, validated by python-stdnum.

    Formats: ``DE89 3704 0044 0532 0130 00``, compact, with a space after the country
    code (``NO 02 1503 7577 003``), irregular grouping (``NO 402333 06 01019``), dots
    (``NO07.8380.08.06006``), dashes (``ES15-0049-1806-9121-1186-9374``), lower case
    (``MC11 … h79``); each separator a single space, dot or dash between two
    characters. The length comes from the country (python-stdnum's copy of the SWIFT
    registry), so a following word or number is never taken in; a number that runs on
    past the country's length is none. ``stdnum.iban.is_valid`` decides: ISO 7064
    mod 97, the country's BBAN structure and, for some countries, national checks.
    Fictitious example (check digits computed): ``IBAN DE89 3704 0044 0532 0130 00``.

    Scoring as upstream: a valid IBAN scores 1.0 (mod 97 lets one in 97 random
    strings through, the registry structure far fewer).

    Deviations from upstream (Presidio 2.2.366): upstream's regex needs groups of
    four after the check digits and no space after the country code, so "found
    online" forms with other groupings, dots or a separated country code are missed;
    its own format table lags the registry; and it is linear only thanks to its regex
    timeout. Here a start is found by one linear regex and the rest is a bounded walk.
    """

    def __init__(
        self,
        supported_language: str = "de",
        supported_entity: str = "IBAN_CODE",
        context: list[str] | None = None,
        name: str | None = None,
    ) -> None:
        # Upstream annotates `patterns` as list[str]; it takes Pattern objects.
        patterns: Any = [_PATTERN]
        super().__init__(
            patterns=patterns,
            context=context if context else list(CONTEXT),
            supported_language=supported_language,
            supported_entity=supported_entity,
            name=name,
        )

    def validate_result(self, pattern_text: str) -> bool:
        return bool(iban.is_valid(pattern_text))

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        lengths = iban_lengths()
        results: list[RecognizerResult] = []
        position = 0
        for match in _START_RE.finditer(text):
            if match.start() < position:
                continue  # inside the IBAN found before
            length = lengths.get(match.group(1).upper())
            if length is None:
                continue
            end = _walk(text, match.start(), length)
            if end is None or not self.validate_result(text[match.start() : end]):
                continue
            results.append(
                pattern_result(self, _PATTERN, match.start(), end, EntityRecognizer.MAX_SCORE, True)
            )
            position = end
        return results
