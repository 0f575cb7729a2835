"""The health term lists (rules/health_terms.yaml) and the words the prefilter takes from them.

Kept apart from HealthDataRecognizer (which imports Presidio) so that the gateway's
prefilter (checker/triggers.py) reads them without Presidio; the recognizer builds its
patterns from the same functions.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from rules import rules_yaml

# The endings of HealthDataRecognizer's CLINICAL_COMPOUND, also the prefilter's triggers
# (found inside words, checker/triggers.py).
COMPOUND_ENDINGS = (
    "entzündung",
    "prellung",
    "zerrung",
    "verstauchung",
    "quetschung",
    "wunde",
    "fraktur",
    "allergie",
    "unverträglichkeit",
    "intoleranz",
    "insuffizienz",
    "karzinom",
    "ektomie",
    "-op",
    "-operation",
)


@cache
def health_terms() -> dict[str, Any]:
    data: dict[str, Any] = rules_yaml("health_terms.yaml")
    return data


def health_keywords() -> tuple[list[tuple[str, bool]], list[str]]:
    """Words the prefilter looks for, lower case: the longest word of every term, with
    whether it must end there (it does unless it is the last word of a ``*`` term), and
    the last word of every label (a label adds a finding only before a colon). Terms
    match at a word start, so a text without any of these words has no health term;
    ICD codes and GdB need digits, which the prefilter looks for anyway."""
    terms = health_terms()
    words = []
    for strength in ("strong", "weak"):
        for language in ("de", "en"):
            words += terms[strength][language]
    words += terms["medications"]
    found: set[tuple[str, bool]] = set()
    for term in words:
        parts = term.lower().removesuffix("*").split()
        if not parts:
            continue
        longest = max(range(len(parts)), key=lambda i: len(parts[i]))
        open_end = term.endswith("*") and longest == len(parts) - 1
        found.add((parts[longest], not open_end))
    labels = {t.lower().removesuffix("*").split()[-1] for t in terms["labels"] if t.strip("*")}
    return sorted(found), sorted(labels)
