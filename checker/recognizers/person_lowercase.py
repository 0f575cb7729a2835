"""PERSON rules for names typed in lower case, as people do in chat and quick notes.

Used by ``PersonCueRecognizer`` through ``person_names.lexicon_candidates``:

- a salutation before a lower-case name: "frau kowalski", "hr. bauer", "Herr amiri",
  "herrn dąbrowski" — the name must be in the lists (a homograph such as "koch" too:
  the salutation says it is a name), and no possessive or article may stand before
  the salutation ("meine frau weiß …", "der herr …" are no salutations);
- an initial before a lower-case surname: "gruß t. reuter", "attendees: j. morrison,
  k. patel" — only surnames that are no common word (homographs need capitals);
- a surname of a person named elsewhere in the text, again in lower case
  ("J. Morrison … morrison to send the budget"), handled by ``lower_repeats``.

Homographs (koch, winter, fuchs) never count in lower case without a salutation: in
lower case they are the words far more often.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

from checker.recognizers.name_lexicon import NameLexicon
from checker.recognizers.spans import SpanUnion

STRONG_SCORE = 0.85  # salutation or initial + a known name
REPEAT_SCORE = 0.7  # the surname of a person named in full elsewhere

_LO = "a-zß-öø-ÿ\u0100-\u024f"
_LOWER_NAME = rf"[{_LO}]{{2,}}(?:-[{_LO}]{{2,}})?"
_SALUTATION_RE = re.compile(
    rf"(?<![\w.])(?i:herrn?|frau|hr\.|fr\.|mr\.?|mrs\.?|ms\.?)[ \t]+(?P<name>{_LOWER_NAME})"
    r"(?![\w-])"
)
# "meine frau", "der herr", "your mrs": a person, not a salutation
_NOT_SALUTATION_BEFORE_RE = re.compile(
    r"(?i:(?<![\w])(?:mein|dein|sein|ihr|unser|euer|eure|meine|deine|seine|ihre|unsere"
    r"|der|die|das|dem|den|des|ein|eine|einer|einem|jede[rs]?|diese[rs]?|my|your|his|the)"
    r"[ \t]+)\Z"
)
_LOWER_INITIAL_RE = re.compile(
    rf"(?<![\w.@/-])[{_LO}]\.[ \t]+(?P<last>[{_LO}]{{3,}}(?:-[{_LO}]{{3,}})?)(?![\w@-]|\.\w)"
)
# a word, not a part of an address or handle ("k.becker@…", "/patel/")
_ANY_WORD_RE = re.compile(r"(?<![\w.@/-])[^\W\d_]{3,}(?![\w@/-]|\.\w)")


def _title(word: str) -> str:
    return "-".join(p[:1].upper() + p[1:] for p in word.split("-"))


def lowercase_candidates(
    text: str, lex: NameLexicon, stop: Collection[str]
) -> Iterator[tuple[int, int, float, str]]:
    """(start, end, score, rule) of lower-case names after a salutation or initial."""
    for m in _SALUTATION_RE.finditer(text):
        name = _title(m.group("name"))
        if name in stop or not lex.knows(name):
            continue
        if _NOT_SALUTATION_BEFORE_RE.search(text, max(0, m.start() - 12), m.start()):
            continue
        yield m.start("name"), m.end("name"), STRONG_SCORE, "salutation (lower case)"
    for m in _LOWER_INITIAL_RE.finditer(text):
        last = _title(m.group("last"))
        if last in stop or not lex.is_surname(last):
            continue
        yield m.start(), m.end(), STRONG_SCORE, "initial + surname (lower case)"


def lower_repeats(
    text: str, named: Collection[tuple[int, int]], lex: NameLexicon, stop: Collection[str]
) -> Iterator[tuple[int, int, float, str]]:
    """A lower-case word that is the surname of a person named elsewhere ("patel")."""
    lasts = set()
    for s, e in named:
        words = text[s:e].split()
        if len(words) > 1:
            last = _title(words[-1].lower())
            if last not in stop and last not in lex.homographs and lex.is_surname(last):
                lasts.add(last.lower())
    if not lasts:
        return
    inside = SpanUnion(named)
    for m in _ANY_WORD_RE.finditer(text):
        word = m.group()
        if word.islower() and word in lasts and not inside.holds(m.start()):
            yield m.start(), m.end(), REPEAT_SCORE, "surname of a named person (lower case)"
