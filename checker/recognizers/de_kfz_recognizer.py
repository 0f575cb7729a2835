"""Context-gated recognizer for German number plates (entity ``DE_KFZ``)."""

from __future__ import annotations

import re

from presidio_analyzer import Pattern, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    DeKfzRecognizer as _UpstreamDeKfzRecognizer,
)

from checker.recognizers.cue_context import boost_by_cue

_CUE_RE = re.compile(
    r"(?<![^\W\d_])(?:"
    r"(?:kfz|auto|fahrzeug|amtliche[sn]?)?[- ]?kennzeichen[s]?|nummernschild(?:er)?"
    r"|kfz|pkw|lkw|auto|fahrzeug(?:e|s|es)?|(?:dienst|firmen)(?:wagen|fahrzeug)"
    r"|fahrzeughalter(?:in)?|halter(?:in)?|zulassung|fahrzeugschein|fahrzeugbrief"
    r"|zulassungsbescheinigung|falschparker|parkplatz|tiefgarage|blitzer"
    r"|(?:license|licence|number|registration)\s+plate(?:s)?|plate\s+number"
    r"|car|vehicle(?:\s+registration)?"
    r")(?![^\W\d_])",
    re.IGNORECASE,
)
_PREFIX_CHARS = 60
_SUFFIX_CHARS = 40  # "… ist das Kennzeichen meines Dienstwagens"

_BASE_SCORE = 0.4
# Unterscheidungszeichen (1-3 letters, umlauts allowed: TÜ, LÖ, SÜW), separator
# ("-", " " or "- "), Erkennungsbuchstaben (1-2 letters, no umlauts), separator,
# Erkennungszahl (1-4 digits, no leading 0), optional E (electric) / H (historic).
# Upper case only: lower case "bis zu 100" must not match.
_REGEX = (
    r"(?<![\w-])"
    r"(?-i:[A-ZÄÖÜ]{1,3}(?:-|-? )[A-Z]{1,2}[ -][1-9]\d{0,3}[EH]?)"
    r"(?![\w-])(?![.,]\d)"
)
_PATTERNS = (Pattern("Kfz-Kennzeichen", _REGEX, _BASE_SCORE),)
_CONTEXT = ("kennzeichen", "nummernschild", "fahrzeug")
_MAX_CHARS = 8  # FZV: letters + digits (without the E/H suffix) at most 8


class DeKfzRecognizer(_UpstreamDeKfzRecognizer):
    """Recognize German vehicle registration plates (Kfz-Kennzeichen), context only.

    Format (FZV § 8/§ 9, Anlage 4): Unterscheidungszeichen (district, 1-3 letters,
    umlauts possible), Erkennungsbuchstaben (1-2 letters), Erkennungszahl (1-4
    digits, no leading 0), optional suffix ``E`` (electric) or ``H`` (historic);
    at most 8 letters and digits in total. Written ``M-AB 1234``, ``M AB 1234``,
    ``M-AB-1234``, ``B AB 123E``, ``HH-XY 99H``. Fictitious example:
    ``Kennzeichen: M-XY 4711``.

    There is no checksum, and "1-3 capitals, 1-2 capitals, a number" is everywhere
    in text (``ISO AB 12``, ``IT GmbH`` style abbreviations with numbers). So the
    pattern scores 0.4 and *only* a cue word (Kennzeichen, Kfz, Pkw, Fahrzeug,
    Nummernschild, Halter, license plate, car, vehicle, ...) within about 60
    characters before / 40 after lifts it to 0.75. The district code is not checked
    against the official list (about 700 codes that change with district reforms).

    Deviations from upstream (Presidio 2.2.366): upstream's patterns run with
    Presidio's default IGNORECASE, so ``[A-Z]{1,3} [A-Z]{1,2} \\d{1,4}`` matches
    ordinary lower-case prose such as "bis zu 100" or "um die 20"; here letters must
    be upper case. Upstream also allows a leading 0 in the number, no total-length
    limit, and substring cue words ("auto" hits "Automatisierung").
    """

    def __init__(
        self,
        supported_language: str = "de",
        supported_entity: str = "DE_KFZ",
        patterns: list[Pattern] | None = None,
        context: list[str] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(
            patterns=patterns if patterns else list(_PATTERNS),
            context=context if context else list(_CONTEXT),
            supported_language=supported_language,
            supported_entity=supported_entity,
            name=name,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        """Drop plates longer than the FZV allows; keep the rest at the base score."""
        core = re.sub(r"[- ]", "", pattern_text)
        if core[-1] in "EH" and core[-2].isdigit():
            core = core[:-1]
        return None if len(core) <= _MAX_CHARS else False

    def enhance_using_context(
        self,
        text: str,
        raw_recognizer_results: list[RecognizerResult],
        other_raw_recognizer_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        """Boost a match when a whole-word cue stands shortly before or after it."""
        return boost_by_cue(
            text,
            raw_recognizer_results,
            _CUE_RE,
            before=_PREFIX_CHARS,
            after=_SUFFIX_CHARS,
            extra=" ".join(context or []),
            max_score=self.MAX_SCORE,
        )
