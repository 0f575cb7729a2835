"""Recognizer for the German Steuernummer of the Länder (entity ``DE_TAX_NUMBER``)."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    DeTaxNumberRecognizer as _UpstreamDeTaxNumberRecognizer,
)
from stdnum.de import stnr

from checker.recognizers.cue_gated_number import CueGatedNumber
from checker.recognizers.results import pattern_result
from checker.recognizers.standalone import is_standalone

# Whole-word cues, German and English. "Finanzamt" is left out on purpose: next to it
# stand bank account numbers (10 digits, like a Steuernummer).
_CUE_RE = re.compile(
    r"(?<![^\W\d_])(?:"
    r"steuer[- ]?(?:nummern?|nr)|steuernr|st\.?[- ]?nr|stnr"
    r"|tax\s+(?:number|no|reference)|(?:german\s+)?tax\s+id\s+number"
    r")(?![^\W\d_])\.?",
    re.IGNORECASE,
)
_PREFIX_CHARS = 60
_SUFFIX_CHARS = 40  # "… ist die Steuernummer der Kanzlei"
_BASE_SCORE = 0.4
# Digit groups as the Länder print them: "181/815/08155", "21/815/08150",
# "156 / 141 / 14808", "93815/08152", "013 815 08153", "2893081508152". Groups are
# joined by a slash (spaces around it allowed) or one space; one way to match each
# character, so the scan is linear. Which groups form the number decides python-stdnum
# (10, 11 or 13 digits in a Land's format), see DeTaxNumberRecognizer._numbers.
_RUN_RE = re.compile(r"(?<![\w/.,])\d{1,13}(?:(?: ?/ ?| )\d{1,5}){0,5}(?![\w/])")
_GROUP_RE = re.compile(r"\d+")
_PATTERN = Pattern(
    "Steuernummer (digit groups, python-stdnum format)", _RUN_RE.pattern, _BASE_SCORE
)
_CONTEXT = ("steuernummer", "steuer-nr", "steuernr")


class DeTaxNumberRecognizer(CueGatedNumber, _UpstreamDeTaxNumberRecognizer):
    """Recognize the Steuernummer a Finanzamt assigns (not the Steuer-IdNr), by context.

    Formats (python-stdnum ``de.stnr``): 10 or 11 digits in the format of a Land
    (``FFBBBUUUUP``, Bayern and NRW ``FFFBBBUUUUP``/``FFFBBBBUUUP``, some with a
    leading Land digit) or the nationwide 13-digit form (a Land prefix such as 28, 9,
    11 … then ``FF0BBBUUUUP``), written with slashes or spaces as the Länder print
    them: ``181/815/08155``, ``21/815/08150``, ``156 / 141 / 14808``,
    ``93815/08152``, ``013 815 08153``, ``2893081508152``. Fictitious example:
    ``Steuernummer: 181/815/08155``.

    There is no check digit python-stdnum knows, and every 10-digit number fits some
    Land's format, so the number alone is no evidence: it scores 0.4, a whole-word cue
    (Steuernummer, Steuer-Nr., St.-Nr., StNr, tax number) before or shortly after it,
    or as its column header, lifts it to 0.75. A slash form alone in its message,
    line or table cell (``123/456/78901``) scores 0.5: few other numbers are written
    that way. Bank account numbers have 10 digits too, hence no "Finanzamt" cue.

    Deviations from upstream (Presidio 2.2.366): upstream's 13-digit pattern takes the
    first two digits for a Bundesland code 01-16; the nationwide number starts with the
    Land's Finanzamt prefix instead (python-stdnum: ``2893081508152`` is Baden-
    Württemberg), so upstream's ``0281508150123`` is no Steuernummer and real ones are
    missed. Its slash patterns accept 9-digit numbers (``12/345/6789``), score 0.5
    without any context and take "Umsatzsteuer" or "Finanzamt" (substrings) as cues.
    """

    ENTITY = "DE_TAX_NUMBER"
    NUMBER_PATTERNS = (_PATTERN,)
    CUE_WORDS = _CONTEXT
    CUE_RE = _CUE_RE
    CUE_BEFORE = _PREFIX_CHARS
    CUE_AFTER = _SUFFIX_CHARS
    PRESIDIO_CONTEXT = False
    STANDALONE_SCORE = 0.5

    def checksum_ok(self, text: str) -> bool:
        return bool(stnr.is_valid(text))

    def stands_alone(self, text: str, start: int, end: int) -> bool:
        return "/" in text[start:end] and is_standalone(text, start, end)

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        return [
            pattern_result(self, _PATTERN, start, end, _BASE_SCORE, True)
            for run in _RUN_RE.finditer(text)
            for start, end in self._numbers(text, run.start(), run.end())
        ]

    def _numbers(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        """The longest run of whole groups in text[start:end] that python-stdnum
        accepts ("Nr. 5 181/815/08155 2024" holds "181/815/08155")."""
        groups = [(m.start(), m.end()) for m in _GROUP_RE.finditer(text, start, end)]
        for size in range(len(groups), 0, -1):
            for first in range(len(groups) - size + 1):
                g_start, g_end = groups[first][0], groups[first + size - 1][1]
                value = text[g_start:g_end]
                digits = sum(1 for c in value if c.isdigit())
                if digits in (10, 11, 13) and self.checksum_ok(value):
                    return [(g_start, g_end)]
        return []
