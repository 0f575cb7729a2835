"""Health information about a person, GDPR Art. 9 (entity ``HEALTH_DATA``)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import yaml
from presidio_analyzer import Pattern, PatternRecognizer

from rules import rules_file

STRONG_SCORE = 0.7  # a health statement on its own
WEAK_SCORE = 0.4  # needs a cue word nearby (+0.35 from Presidio's context enhancer)
ICD_SCORE = 0.3  # an ICD-10 code shape; only with a medical cue nearby
# ICD-10-GM: letter (not U), two digits, optional .1-2 digits, optional certainty
# suffix (G gesichert, V Verdacht, A ausgeschlossen, Z Zustand nach; L/R/B side).
ICD10 = r"(?<![\w.])[A-TV-Z]\d{2}(?:\.\d{1,2})?[GVAZLRB]?(?![\w.])"


@cache
def _terms() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(rules_file("health_terms.yaml").read_text("utf-8"))
    return data


def _alternation(terms: list[str]) -> str:
    parts = []
    for term in sorted(terms, key=len, reverse=True):  # longest first
        stem = re.escape(term.removesuffix("*")).replace(r"\ ", r"\s+")
        parts.append(stem + (r"\w*" if term.endswith("*") else ""))
    return r"(?i:(?<!\w)(?:" + "|".join(parts) + r")(?!\w))"


class HealthDataRecognizer(PatternRecognizer):
    """Recognize health information: sick notes, diagnoses, disability, pregnancy, therapy.

    Formats: German and English terms from ``rules/health_terms.yaml`` (strong terms
    alone, weak terms with a person or medical cue), and ICD-10 codes next to a cue
    such as "Diagnose" or "ICD". Fictitious examples: "Herr Becker ist bis Freitag
    krankgeschrieben", "Diagnose F32.1", "she is pregnant".
    """

    def __init__(
        self,
        supported_language: str = "de",
        supported_entity: str = "HEALTH_DATA",
        name: str | None = None,
    ) -> None:
        terms = _terms()
        patterns = [
            Pattern(
                "health term (strong)",
                _alternation(terms["strong"]["de"] + terms["strong"]["en"]),
                STRONG_SCORE,
            ),
            Pattern(
                "health term (weak)",
                _alternation(terms["weak"]["de"] + terms["weak"]["en"]),
                WEAK_SCORE,
            ),
            Pattern("ICD-10 code", ICD10, ICD_SCORE),
        ]
        super().__init__(
            supported_entity=supported_entity,
            name=name or "HealthDataRecognizer",
            patterns=patterns,
            context=list(terms["context"]),
            supported_language=supported_language,
            # Case-sensitive by default: ICD codes are upper case; the term patterns
            # carry their own (?i:...).
            global_regex_flags=re.DOTALL | re.MULTILINE,
        )
