"""Find the parts of a text that can hold a finding, so the engine analyses only those.

Every recognizer needs something cheap to see before it can report anything: two digits
close together for numbers, dates and IBANs, ``@`` for an e-mail address, a cue word for
names and health data, a key prefix for a secret. The prefilter looks for all of them in
one pass — regular expressions for shapes, Aho-Corasick (pyahocorasick, C) for the
~1,000 cue words, a set lookup for the first-name list — and returns windows around the
hits; the scanner runs Presidio (spaCy, every recognizer, context enhancement) on the
windows only. A prompt without a hit costs one pass over its characters.

Triggers are a *necessary* condition per recognizer, kept in checker/triggers.py (which
imports neither Presidio nor spaCy: the gateway process builds this prefilter too);
`tests/checker/test_prefilter.py` checks on the evaluation corpora that every finding of
the full scan lies in a window and that windowed and full scans agree. A recognizer
without triggers (e.g. spaCy NER when a real model is installed) switches the
prefilter off: then everything is scanned, as before.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import ahocorasick
import regex

from checker.recognizers.name_lexicon import name_lexicon
from checker.recognizers.person_words import AMBIGUOUS_FIRST_NAMES, load_first_names
from checker.recognizers.spans import AfterWord
from checker.recognizers.table_columns import parse_tables
from checker.triggers import Triggers

# Characters of context kept on each side of a hit. The widest look-around of any
# recognizer is 60 characters (cue words before a value) and Presidio's context
# enhancer looks 5 tokens back; 120 leaves room for long tokens.
MARGIN = 120
# Window edges move outward to a line break this close, else to a blank: line-anchored
# rules (closing formulas, "the name fills its line") see whole lines.
SNAP = 120
# Above this share of the text the windows save little: scan everything.
MAX_COVERAGE = 0.6
# A policy regex that runs longer than this on one text makes the whole text a window.
UNTRUSTED_TIMEOUT_S = 0.5


@dataclass
class Prefilter:
    """Windows of a text worth analysing; built once per engine."""

    triggers: Sequence[Triggers]
    _patterns: list[tuple[re.Pattern[str], re.Pattern[str] | None]] = field(init=False)
    _untrusted: list[Any] = field(init=False)  # regex.Pattern: policy regexes
    _automaton: ahocorasick.Automaton = field(init=False)
    _first_names: frozenset[str] = field(init=False)  # and surnames: any name word
    _lower_first: frozenset[str] = field(init=False)  # first names also found lower-case

    def __post_init__(self) -> None:
        shapes = sorted({p for t in self.triggers for p in t.patterns}, key=repr)
        self._patterns = [
            (_compile(s.pattern), None if s.before is None else re.compile(s.before))
            for s in shapes
            if not s.untrusted
        ]
        self._untrusted = [regex.compile(s.pattern, regex.MULTILINE) for s in shapes if s.untrusted]
        cues: dict[str, set[tuple[bool, str | None]]] = {}
        anywhere: set[str] = set()  # words that may also stand inside another word
        for t in self.triggers:
            for cue in t.cues:
                if cue.word:
                    cues.setdefault(cue.word, set()).add((cue.rest, cue.after))
                    if not cue.word_start:
                        anywhere.add(cue.word)
        self._automaton = ahocorasick.Automaton()
        for word, afters in cues.items():
            # No condition wins over any condition; several conditions: any of them.
            always = any(after is None for _, after in afters)
            here = _any_of(a for rest, a in afters if a is not None and not rest)
            after_word = _any_of(a for rest, a in afters if a is not None and rest)
            conditions = None if always else (here, after_word)
            self._automaton.add_word(word, (len(word), conditions, word not in anywhere))
        if cues:
            self._automaton.make_automaton()
        if any(t.first_names for t in self.triggers):
            lexicon = name_lexicon()
            self._first_names = (
                load_first_names()
                | AMBIGUOUS_FIRST_NAMES
                | lexicon.first
                | lexicon.surnames
                | lexicon.homographs
            )
            self._lower_first = lexicon.first
        else:
            self._first_names = frozenset()
            self._lower_first = frozenset()

    def hits(self, text: str) -> list[tuple[int, int]]:
        """Spans of every trigger in `text`."""
        spans: list[tuple[int, int]] = []
        for pattern, before in self._patterns:
            for m in pattern.finditer(text):
                start = m.start()
                if before is None or before.search(text, max(0, start - 8), start):
                    spans.append(m.span())
        for untrusted in self._untrusted:
            try:
                spans += [m.span() for m in untrusted.finditer(text, timeout=UNTRUSTED_TIMEOUT_S)]
            except TimeoutError:
                return [(0, len(text))]
        if len(self._automaton):
            lowered = text.lower()
            # str.lower() keeps offsets except for a few characters ("İ" → "i̇"); then
            # the hit positions could drift, so such texts get no cue windows trimmed.
            if len(lowered) != len(text):
                return [(0, len(text))]
            after_word = AfterWord(text)
            for end, (length, conditions, word_start) in self._automaton.iter(lowered):
                start = end - length + 1
                if (
                    word_start
                    and start > 0
                    and (text[start - 1].isalnum() or text[start - 1] == "_")
                ):
                    continue
                if conditions is None:
                    spans.append((start, end + 1))
                    continue
                here, rest = conditions
                if (here is not None and here.match(text, end + 1)) or (
                    rest is not None and after_word.matches(rest, end + 1)
                ):
                    spans.append((start, end + 1))
        if self._first_names:
            for m in _NAME_WORD_RE.finditer(text):
                word = m.group()
                if word in self._first_names or (
                    word.islower() and word[:1].upper() + word[1:] in self._lower_first
                ):
                    spans.append(m.span())
                elif word.isupper() and len(word) > 1 and word.title() in self._first_names:
                    spans.append(m.span())  # "MÜLLER-ŞAHİN, DERYA"
        return spans

    def windows(self, text: str) -> list[tuple[int, int]]:
        """Merged windows around the hits, whole tables where a window touches one;
        `[(0, len(text))]` when the windows would cover most of the text anyway."""
        hits = self.hits(text)
        if not hits:
            return []
        merged = _merge(_snap(text, s - MARGIN, e + MARGIN) for s, e in hits)
        if _covered(merged) > MAX_COVERAGE * len(text):
            return [(0, len(text))]
        tables = [
            (t.header[0].start, t.rows[-1][-1].end)
            for t in parse_tables(text)
            if t.header and t.rows
        ]
        if tables:
            # Tables are disjoint and in text order: a window meets the tables from the
            # first that ends after its start on (bisect, not every table per window).
            ends = [t_end for _, t_end in tables]
            grown = []
            for start, end in merged:
                i = bisect.bisect_right(ends, start)
                while i < len(tables) and tables[i][0] < end:
                    start, end = min(start, tables[i][0]), max(end, tables[i][1])
                    i += 1
                grown.append(_snap(text, start, end))
            merged = _merge(grown)
        if _covered(merged) > MAX_COVERAGE * len(text):
            return [(0, len(text))]
        return merged


def _any_of(patterns: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(patterns)
    return re.compile("|".join(f"(?:{p})" for p in ordered)) if ordered else None


# Capitalised, lower-case and upper-case words (first names in chat, surnames on forms).
_NAME_WORD_RE = re.compile(
    r"(?<![\w-])[A-Za-zÀ-ÖØ-öø-ÿ\u0100-\u024f][a-zß-öø-ÿ\u0100-\u024f]+|(?<![\w-])[A-ZÀ-ÖØ-Þ\u0100-\u024f]{2,}"
)


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.MULTILINE)
    except re.error:
        # Presidio compiles with the `regex` module, which knows more syntax.
        return regex.compile(pattern, regex.MULTILINE)


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    start, end = max(0, start), min(len(text), end)
    if start > 0:
        line = text.rfind("\n", max(0, start - SNAP), start)
        if line >= 0:
            start = line + 1
        else:
            blank = max(
                text.rfind(" ", max(0, start - 40), start),
                text.rfind("\t", max(0, start - 40), start),
            )
            start = blank + 1 if blank >= 0 else start
    if end < len(text):
        line = text.find("\n", end, end + SNAP)
        if line >= 0:
            end = line
        else:
            blanks = [
                i for i in (text.find(" ", end, end + 40), text.find("\t", end, end + 40)) if i >= 0
            ]
            end = min(blanks) if blanks else end
    return start, end


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _covered(spans: list[tuple[int, int]]) -> int:
    return sum(end - start for start, end in spans)
