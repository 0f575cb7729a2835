"""Name lists for PERSON rules: first names, surnames, and names that are no person.

Data in ``checker/data`` (shipped, never downloaded):

- ``first_names.txt``: curated first names (German first, many origins);
- ``first_names_more.txt.gz``, ``surnames.txt.gz``: built offline from Faker's and
  Mimesis' MIT-licensed name lists by ``checker/data/build_names.py``;
- ``surnames_extra.txt``: frequent surnames those lists cover thinly (hand-written);
- ``eponyms.txt``: brands, institutions and historic persons named like a person.

A surname marked ``~`` is also a common word (Koch, Winter, Fuchs, Lang): a *homograph*
that counts as a name only with further evidence. Every name is also known in its
ASCII spelling ("Yılmaz" → "Yilmaz"), because people type names without diacritics.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

_FOLD = str.maketrans({"ß": "ss", "ł": "l", "Ł": "L", "ı": "i", "İ": "I", "đ": "d", "Đ": "D"})


def ascii_fold(name: str) -> str:
    """ "Dąbrowski" → "Dabrowski", "Yılmaz" → "Yilmaz", "Ðorđević" → "Dordevic"."""
    name = name.translate(_FOLD).replace("Ð", "D").replace("ð", "d")
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def _lines(name: str) -> list[str]:
    path = resources.files("checker").joinpath("data", name)
    if name.endswith(".gz"):
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
    else:
        text = path.read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


@dataclass(frozen=True)
class NameLexicon:
    curated: frozenset[str]  # first_names.txt: checked by hand, count on their own
    first: frozenset[str]  # first names that are no common word
    surnames: frozenset[str]  # surnames that are no common word
    homographs: frozenset[str]  # surnames that are also common words
    eponyms: tuple[str, ...]  # phrases that name no person in a prompt

    def is_first(self, word: str) -> bool:
        if word in self.first or word.split("-", 1)[0] in self.first:
            return True
        # a spelling the lists lack: "Trần", "Nguyễn", "Şükrü" as "Tran", "Nguyen", "Sukru"
        folded = _fold_unknown(word)
        return folded is not None and self.is_first(folded)

    def is_surname(self, word: str) -> bool:
        """A plain (non-homograph) surname; double names count by their parts."""
        if word in self.surnames:
            return True
        parts = word.split("-")
        if len(parts) > 1 and all(p in self.surnames or p in self.homographs for p in parts):
            return True
        folded = _fold_unknown(word)
        return folded is not None and folded not in self.homographs and self.is_surname(folded)

    def is_any_surname(self, word: str) -> bool:
        return word in self.homographs or self.is_surname(word)

    def knows(self, word: str) -> bool:
        """Any name at all (first name, surname, homograph surname)."""
        return self.is_first(word) or self.is_any_surname(word)


def _fold_unknown(word: str) -> str | None:
    """The ASCII spelling of a word with diacritics, or None when it has none."""
    if word.isascii():
        return None
    folded = ascii_fold(word)
    return folded if folded != word and folded.isascii() else None


def _with_ascii(names: set[str]) -> set[str]:
    return names | {ascii_fold(n) for n in names}


@cache
def name_lexicon() -> NameLexicon:
    """Load the lists once per process (~80,000 names, a few MB)."""
    # The generated lists already hold ASCII spellings checked against the word lists
    # (build_names.py); the hand-written ones get theirs here.
    curated = _with_ascii(set(_lines("first_names.txt")))
    first = curated | set(_lines("first_names_more.txt.gz"))
    surname_lines = _lines("surnames.txt.gz")
    extra = _lines("surnames_extra.txt")
    homographs = {n[1:] for n in surname_lines if n.startswith("~")} | _with_ascii(
        {n[1:] for n in extra if n.startswith("~")}
    )
    surnames = (
        {n for n in surname_lines if not n.startswith("~")}
        | _with_ascii({n for n in extra if not n.startswith("~")})
    ) - homographs
    return NameLexicon(
        curated=frozenset(curated),
        first=frozenset(first),
        surnames=frozenset(surnames),
        homographs=frozenset(homographs),
        eponyms=tuple(_lines("eponyms.txt")),
    )


@cache
def eponym_re() -> re.Pattern[str]:
    """Every eponym phrase as a whole word, longest first."""
    phrases = sorted(name_lexicon().eponyms, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![\w-])")


_SALUTATION_BEFORE_RE = re.compile(
    r"(?:Herrn?|Frau|Hr\.|Fr\.|Mrs?\.?|Ms\.?|Dear|Liebe[rs]?|Hallo)[ \t]+\Z"
)
_INSTITUTION_WORD_RE = re.compile(
    r"-(?:Institut|Stiftung|Klinik|Klinikum|Krankenhaus|Schule|Gymnasium|Universität"
    r"|Hochschule|Akademie|Straße|Str|Platz|Allee|Preis|Medaille|Haus|Museum|Zentrum"
    r"|Gesellschaft|Verlag|Werke?|Halle|Brücke|Kaserne|Apotheke|Kirche|Stadion|Bahnhof)\b"
)


def not_a_person(text: str, start: int, end: int) -> bool:
    """A brand, institution or historic person named like one ("Dr. Oetker", "Robert
    Koch-Institut", "Goethe") — unless a salutation says it is a person ("Frau Bach")."""
    value = text[start:end]
    if _INSTITUTION_WORD_RE.search(value):
        return True
    lo, hi = max(0, start - 40), min(len(text), end + 40)
    for m in eponym_re().finditer(text, lo, hi):
        if m.start() <= start and end <= m.end():
            return not _SALUTATION_BEFORE_RE.search(text, max(0, m.start() - 12), m.start())
    return False
