"""Cheap, offline de/en detection for choosing the spaCy pipeline (lemmas for context words).

Counts frequent function words of each language; recognizers carry German and English
context words either way, so a mixed or misjudged text is still scanned fully — the
language only decides which lemmatizer prepares the context.
"""

from __future__ import annotations

import re

GERMAN = frozenset(
    [
        "der",
        "die",
        "das",
        "und",
        "ist",
        "nicht",
        "ein",
        "eine",
        "einen",
        "dem",
        "den",
        "des",
        "zu",
        "mit",
        "von",
        "für",
        "auf",
        "im",
        "in",
        "ich",
        "sie",
        "wir",
        "ihr",
        "es",
        "bitte",
        "sehr",
        "geehrte",
        "geehrter",
        "danke",
        "ihnen",
        "uns",
        "auch",
        "wie",
        "noch",
        "oder",
        "aber",
        "wenn",
        "dass",
        "bei",
        "nach",
        "aus",
        "wird",
        "werden",
        "wurde",
        "sind",
        "hat",
        "haben",
        "kann",
        "können",
        "soll",
        "mehr",
        "über",
        "vom",
        "zum",
        "zur",
        "am",
        "als",
        "bis",
        "durch",
        "gegen",
        "ohne",
        "um",
    ]
)
ENGLISH = frozenset(
    [
        "the",
        "and",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "of",
        "to",
        "in",
        "for",
        "on",
        "with",
        "at",
        "by",
        "from",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "you",
        "your",
        "we",
        "our",
        "they",
        "their",
        "please",
        "dear",
        "thanks",
        "thank",
        "can",
        "could",
        "would",
        "should",
        "will",
        "not",
        "but",
        "or",
        "if",
        "as",
        "an",
        "a",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "which",
        "what",
        "when",
        "about",
        "into",
        "than",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")
SAMPLE_CHARS = 4000  # the start of a text decides; enough words, bounded cost


def detect_language(text: str, default: str = "de") -> str:
    """'de' or 'en' by function-word counts in the first few thousand characters."""
    german = english = 0
    for word in _WORD.findall(text[:SAMPLE_CHARS].lower()):
        if word in GERMAN:
            german += 1
        elif word in ENGLISH:
            english += 1
    if english > german:
        return "en"
    if german > english:
        return "de"
    return default
