"""Person names from salutations, titles, labels and a first-name list (entity ``PERSON``).

The engine has no NER model (``spacy.blank("de")``), so names are found by rules:
a cue word in front of a capitalised word, or a known first name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from presidio_analyzer import LocalRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from checker.recognizers.name_lexicon import NameLexicon, name_lexicon, not_a_person
from checker.recognizers.person_fields import field_candidates
from checker.recognizers.person_names import lexicon_candidates, repeated_surnames
from checker.recognizers.person_words import (
    AMBIGUOUS_FIRST_NAMES,
    CLOSING_RE,
    FIELD_RULES,
    MAYBE_PERSON_COLUMNS,
    PERSON_COLUMNS,
    PRODUCT_COLUMNS,
    STOP_WORDS,
    TITLE,
    TITLES,
    load_first_names,
)
from checker.recognizers.results import explained_result
from checker.recognizers.spans import NextMatch, keep_non_overlapping
from checker.recognizers.table_columns import normalize_header, parse_tables

# --- name words -------------------------------------------------------------------
# Latin-1 and Latin Extended-A/B letters; Extended-A/B mix cases, so both sets take them.
_UP = "A-ZÀ-ÖØ-Þ\u0100-\u024f"
_LO = "a-zß-öø-ÿ\u0100-\u024f"
# Müller, O'Brien, McDonald; joined by hyphens: Hans-Peter, Müller-Lüdenscheidt.
_PART = rf"(?:[{_UP}]['’])?[{_UP}][{_LO}]+(?:[{_UP}][{_LO}]+)?"
_WORD = rf"{_PART}(?:-{_PART})*"
_WORD_RE = re.compile(rf"(?<![\w-]){_WORD}(?![\w-])")
_GAP_RE = re.compile(r"[ \t]+")  # words of one name stay on one line
_PARTICLES = r"(?:von|van|vom|de|di|da|del|della|du|le|la|ten|ter|bin|ibn|al|el)"
# "von der Leyen", "van den Berg"; a bare "der" is no particle ("Herr der Ringe").
_PARTICLE = rf"{_PARTICLES}(?:[ \t]+(?:der|den|dem|de|la|le))?"
_MID_PARTICLE_RE = re.compile(rf"{_PARTICLE}[ \t]+(?={_WORD})")
_LEAD_PARTICLE_RE = re.compile(rf"(?:{_PARTICLE}|zu|zur)[ \t]+(?={_WORD})")

# --- cues ---------------------------------------------------------------------------
# Herr/Frau/Mr/geb. ... (+ titles), or titles alone: the next capitalised word is a name.
_STRONG_CUE_RE = re.compile(
    r"(?<![\w.])(?:(?:Herrn?|Frau|Hr\.|Fr\.|Mrs\.?|Mr\.?|Ms\.?|Miss|Mx\.|Sir|Madame|Monsieur"
    rf"|Mme\.?|Signora|Signor|Señora|Señor|geb\.|geborene[r]?|n[ée]e)[ \t]+{TITLES}"
    rf"|(?:{TITLE}[ \t]+)+)"
)
# Greetings, self-introductions and sign-offs ("deine Lisa"): only a known first name
# counts after these, because German capitalises nouns ("Hallo Team", "Liebe Kollegen").
_WEAK_CUE_RE = re.compile(
    r"(?<![\w])(?:[Hh]allo|[Hh]ello|[Hh]i|[Hh]ey|[Mm]oin|[Ss]ervus|[Gg]rüezi|[Gg]rüß[ \t]+[Gg]ott"
    r"|[Gg]uten[ \t]+(?:[Tt]ag|[Mm]orgen|[Aa]bend)|[Ll]iebe[rs]?|[Dd]ear|[Ss]ehr[ \t]+geehrte[rs]?"
    r"|[Hh]ola|[Cc]iao|[Bb]onjour|[Ss]alut|(?:[Mm]ein|[Mm]y)[ \t]+[Nn]ame[ \t]+(?:ist|is|lautet)"
    r"|[Ii]ch[ \t]+(?:heiße|heisse|bin)|I[ \t]+am|I['’]m|[Nn]amens|[Nn]amed|[Cc]alled"
    r"|[Dd]anke|[Tt]hanks|[Tt]hank[ \t]+you|[Vv]ielen[ \t]+[Dd]ank"
    r"|[Dd]eine?|[Ee]uer|[Ee]ure|[Ii]hre?|[Yy]ours)[ \t]*,?[ \t]+"
)
# Phrases after which a person is named ("hier schreibt Anna Weber", "Die Vertretung
# übernimmt Can Köhler", "Termin mit Chen Wolf"). German capitalises nouns ("Termin mit
# Vertrieb", "übernimmt Projektleitung Nord"), so an unknown word counts only as the
# first of two name-shaped words that are no stop words and have no noun suffix.
_VERB_CUE_RE = re.compile(
    r"(?<![\w])(?:[Hh]ier[ \t]+(?:schreibt|spricht|ist)|[Üü]bernimmt|[Vv]ertritt"
    r"|[Vv]ertreten[ \t]+durch"
    r"|[Aa]ntwort(?:en)?[ \t]+an|[Ss]chreib(?:e|en)?[ \t]+(?:bitte[ \t]+)?an"
    r"|[Mm]ail[ \t]+an|[Nn]achricht[ \t]+an|[Rr]ückmeldung[ \t]+(?:von|an)"
    r"|[Rr]ückruf[ \t]+(?:von|an)|[Aa]nruf[ \t]+von|(?:[Tt]ermin|[Gg]espräch|[Tt]elefonat"
    r"|[Mm]eeting|[Tt]reffen|[Aa]bstimmung|[Rr]ücksprache)[ \t]+mit"
    r"|[Kk]ollegen?|[Kk]ollegin|[Aa]nsprechpartner(?:in)?|[Kk]ontaktperson|[Vv]ertretung:?|[Kk]ontoinhaber(?:in)?"
    r"|(?P<en>(?:[Mm]essage|[Rr]eply|[Ww]rite|[Ee]mail|[Ll]etter)[ \t]+to|[Tt]his[ \t]+is"
    r"|(?:[Mm]eeting|[Cc]all|[Cc]hat)[ \t]+with|[Oo]n[ \t]+behalf[ \t]+of))[ \t]*:?[ \t]+"
)
# Typical endings of German nouns: "Projektleitung", "Buchhaltung", "Kanzlei".
_NOUN_SUFFIX_RE = re.compile(
    r"(?:ung|heit|keit|schaft|tion|sion|ität|nis|tum|ment|ismus|ei|ik|enz|anz|ur|ag|on|ie"
    r"|ler|ner|ter|ser|rer)$"
)
# "Label: Name". Person labels are strong; "Name"/"Kunde" may label a product or a
# company, so an unknown word there scores lower; mail headers need a known first name.
_PERSON_LABELS = (
    r"Vorname|Nachname|Familienname|Vor-[ \t]und[ \t]Nachname|Ansprechpartner(?:in)?"
    r"|Ansprechperson|Kontaktperson|Patient(?:in)?|Bewerber(?:in)?|Antragsteller(?:in)?"
    r"|Mitarbeiter(?:in)?|Versicherte[r]?|Verfasser(?:in)?|Autor(?:in)?|Inhaber(?:in)?"
    r"|Kontoinhaber(?:in)?|Vertretung|Sachbearbeiter(?:in)?|Teilnehmer(?:in)?"
    r"|Full[ \t]name|First[ \t]name|Last[ \t]name|Surname|Given[ \t]name|Contact[ \t]person"
    r"|Employee|Applicant|Author"
)
_NAME_LABELS = (
    r"Name|Kunde|Kundin|(?:Rechnungs|Waren|Zahlungs)?[Ee]mpfänger(?:in)?|Absender(?:in)?|Kontakt|Customer|Recipient|Sender"
    r"|Contact"
)
_HEADER_LABELS = r"Von|An|Cc|Bcc|From|To"
_LABEL_RE = re.compile(
    rf"(?<![\w-])(?:(?P<person>{_PERSON_LABELS})|(?P<name>{_NAME_LABELS})|(?P<header>"
    rf"{_HEADER_LABELS}))[ \t]*:(?P<nl>[ \t]*\r?\n)?[ \t]*{TITLES}",
    re.IGNORECASE,
)
# "[ \t]*(?:,[ \t]*)?", not "[ \t]*,?[ \t]*": two adjacent runs split a long run of blanks
# every possible way before failing (quadratic in the run).
_LINE_END_RE = re.compile(r"[ \t]*(?:,[ \t]*)?(?:\r?\n|\Z)")
_NON_BLANK_RE = re.compile(r"\S")
# Before an ambiguous first name: a lowercase word, or the start of a line or field
# ("von Can Meyer", "HR note: Can Schwarz", "- Stellplatz 4: Can Fischer"), not
# Title Case ("How We Can Help"); and no question after it ("Can Siemens deliver?").
_AMBIGUOUS_BEFORE_RE = re.compile(r"(?:(?<![\w])[a-zß-öø-ÿ]+[ \t]+|(?:^|[:(,;\n])[ \t]*)\Z")
_SENTENCE_END_RE = re.compile(r"[.!?\n]")  # the sentence is a question if it is "?"
_CLAUSE_END_RE = re.compile(r"[ \t]*(?:[,.!?;:)]|\r?\n|\Z)")

# The word lists (checker/recognizers/person_words.py), under the names used below.
_STOP = STOP_WORDS
_AMBIGUOUS_FIRST = AMBIGUOUS_FIRST_NAMES
_PERSON_COLUMNS = PERSON_COLUMNS
_MAYBE_PERSON_COLUMNS = MAYBE_PERSON_COLUMNS
_PRODUCT_COLUMNS = PRODUCT_COLUMNS

_STRONG_SCORE = 0.85  # cue word/title/label + capitalised word(s)
_WEAK_LABEL_SCORE = 0.6  # "Name:" or a closing line with an unknown word
_FIRST_LAST_SCORE = 0.7  # known first name + capitalised surname-like word
_LONE_FIRST_SCORE = 0.35  # known first name alone: below the 0.5 threshold


@dataclass(frozen=True)
class _Word:
    start: int  # includes a leading particle ("von Weizsäcker")
    end: int
    text: str  # the capitalised word without particle
    has_particle: bool


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    score: float
    rule: str


class PersonCueRecognizer(LocalRecognizer):
    """Recognize person names in German and English text without an NER model.

    Rules and scores:

    - 0.85: salutation or title cue + capitalised word(s): ``Herr``, ``Frau``,
      ``Hr.``, ``Fr.``, ``Mr``, ``Mrs``, ``Ms``, ``Dr.``, ``Prof.``, ``Dipl.-Ing.``, ``geb.``
      (``Sehr geehrter Herr Müller``, ``Frau Dr. Anna Schmidt``, ``Dear Mr. Smith``);
      after ``Herr``/``Frau`` only the first word is taken unless it is a known first
      name; person labels (``Vorname:``, ``Ansprechpartner:``, ``Full name:``).
    - 0.85: greeting, introduction or sign-off + *known* first name (``Hallo Jürgen``,
      ``Liebe Anna``, ``Dear John``, ``Ich heiße Petra``, ``deine Lisa``), closing
      formula + name line (``Mit freundlichen Grüßen`` / ``Best regards`` then
      ``Klaus Becker``), and
      ``Name:`` + known first name (``Name: Petra Weiß``).
    - 0.6: ``Name:`` or a closing formula followed by capitalised words that start
      with no known first name (could be a company).
    - 0.7: known first name + capitalised surname-like word (``Petra Weiß``).
    - 0.35: known first name alone (below the default 0.5 threshold); 0.7 when the
      text names the same person in full elsewhere (``Thomas (Thomas Brunner)``).
    - Phrases that name a person (``hier schreibt``, ``übernimmt``, ``Antwort an``,
      ``Termin mit``, ``Gespräch mit``, ``Kollegin``, ``message to`` ...): 0.85 with a
      known first name, 0.6 for two name-shaped words without a noun ending (German
      cues only).
    - CSV-like tables (``table_columns``): cells under ``Vorname``/``Nachname``/
      ``first_name``/``Ansprechpartner``/``Mitarbeiter`` ... score 0.85 when they are
      name-shaped; under ``Name``/``Kunde``/``contact`` only with a known first name
      (0.85) or two name-shaped words (0.6), and never in a table of goods (a header
      such as ``Artikel``, ``Preis``, ``Menge``, ``SKU``).
    - First names that are also words (``Can``, ``Will``, ``Mark``) only count after a
      cue, in a table, or before a surname mid-sentence and outside a question.

    The span covers the name only, never the salutation or title. Words in a stop
    list (``Team``, ``Kolleginnen``, ``Damen``, weekdays, ``ChatGPT`` ...) are never
    a name. Fictitious example: ``Sehr geehrte Frau Dr. Anna Schmidt,`` → ``Anna
    Schmidt``.
    """

    name: str  # set by EntityRecognizer; declared because mypy cannot infer it there

    def __init__(
        self,
        supported_language: str = "de",
        supported_entity: str = "PERSON",
        name: str | None = None,
    ) -> None:
        self.first_names: frozenset[str] = frozenset()
        self.cued_first_names: frozenset[str] = frozenset()
        super().__init__(
            supported_entities=[supported_entity],
            supported_language=supported_language,
            name=name or type(self).__name__,
        )

    def load(self) -> None:
        """Attach the cached name lists."""
        self.lexicon: NameLexicon = name_lexicon()
        self.first_names = load_first_names()  # curated: a name without a cue
        # after a cue (greeting, label, closing, phrase) the long lists count too
        self.cued_first_names = self.first_names | self.lexicon.first

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
    ) -> list[RecognizerResult]:
        """Run all rules, then keep the best non-overlapping candidates."""
        candidates = [
            *self._strong_cues(text),
            *self._weak_cues(text),
            *self._labels(text),
            *self._closings(text),
            *self._verb_cues(text),
            *self._table_cells(text),
            *self._first_names(text),
            *(
                _Candidate(c.start, c.end, c.score, c.rule)
                for c in lexicon_candidates(text, self.lexicon, _STOP, _AMBIGUOUS_FIRST)
            ),
            *(_Candidate(*c) for c in field_candidates(text)),
        ]
        named = [(c.start, c.end) for c in candidates if c.score >= _WEAK_LABEL_SCORE]
        candidates += [
            _Candidate(c.start, c.end, c.score, c.rule)
            for c in repeated_surnames(text, named, self.lexicon, _STOP)
        ]
        candidates = [
            c for c in candidates if c.rule in FIELD_RULES or not not_a_person(text, c.start, c.end)
        ]
        return [self._to_result(c) for c in _best_non_overlapping(_repeat(text, candidates))]

    # --- rules ------------------------------------------------------------------------
    def _strong_cues(self, text: str) -> list[_Candidate]:
        found = []
        for cue in _STRONG_CUE_RE.finditer(text):
            words = _read_words(text, cue.end(), leading_particle=True)
            if not words or words[0].text in _STOP:
                continue
            name = self._first_name_run(words) if self._is_first(words[0]) else words[:1]
            found.append(_candidate(name, _STRONG_SCORE, "salutation or title"))
        return found

    def _weak_cues(self, text: str) -> list[_Candidate]:
        found = []
        for cue in _WEAK_CUE_RE.finditer(text):
            words = _read_words(text, cue.end())
            if words and self._is_cued_first(text, words):
                found.append(_candidate(self._first_name_run(words), _STRONG_SCORE, "greeting"))
        return found

    def _verb_cues(self, text: str) -> list[_Candidate]:
        found = []
        for cue in _VERB_CUE_RE.finditer(text):
            words = _take_until_stop(_read_words(text, cue.end()), keep_first=_AMBIGUOUS_FIRST)
            if not words:
                continue
            if self._is_cued_first(text, words):
                found.append(_candidate(self._first_name_run(words), _STRONG_SCORE, "verb cue"))
            elif (
                not cue.group("en")  # English capitalises titles, not nouns: "Product Owners"
                and len(words) >= 2
                and not _NOUN_SUFFIX_RE.search(words[0].text)
            ):
                found.append(_candidate(words[:3], _WEAK_LABEL_SCORE, "verb cue"))
        return found

    def _table_cells(self, text: str) -> list[_Candidate]:
        """Cells under a name header in a CSV-like table (``Vorname;Nachname``)."""
        found = []
        for table in parse_tables(text):
            keys = [normalize_header(cell.text) for cell in table.header]
            products = bool(_PRODUCT_COLUMNS & set(keys))
            for column, key in enumerate(keys):
                person = key in _PERSON_COLUMNS
                if not person and (products or key not in _MAYBE_PERSON_COLUMNS):
                    continue
                for row in table.rows:
                    if column >= len(row) or not row[column].text:
                        continue
                    cell = row[column]
                    words = _read_words(text, cell.start, leading_particle=True)
                    if not words or words[-1].end != cell.end:
                        continue  # the cell must be name-shaped words only
                    if any(w.text in _STOP and w.text not in _AMBIGUOUS_FIRST for w in words):
                        continue
                    known = self._is_first(words[0]) or words[0].text in _AMBIGUOUS_FIRST
                    if person:
                        found.append(_candidate(words, _STRONG_SCORE, "person column"))
                    elif known:
                        found.append(_candidate(words, _STRONG_SCORE, "table column"))
                    elif len(words) >= 2:
                        found.append(_candidate(words, _WEAK_LABEL_SCORE, "table column"))
        return found

    def _labels(self, text: str) -> list[_Candidate]:
        found = []
        for label in _LABEL_RE.finditer(text):
            words = _take_until_stop(_read_words(text, label.end()), keep_first=_AMBIGUOUS_FIRST)
            if not words:
                continue
            known = self._is_cued_first(text, words)
            if label.group("nl") and not known:
                continue  # "Empfänger:" at a line end: only a known first name below
            if label.group("person") or (label.group("name") and known):
                found.append(_candidate(words, _STRONG_SCORE, "person label"))
            elif label.group("name"):
                found.append(_candidate(words, _WEAK_LABEL_SCORE, "name label"))
            elif known:
                found.append(_candidate(self._first_name_run(words), _STRONG_SCORE, "header"))
        return found

    def _closings(self, text: str) -> list[_Candidate]:
        found = []
        for closing in CLOSING_RE.finditer(text):
            words = _read_words(text, closing.end())
            if not words or any(w.text in _STOP and w.text not in _AMBIGUOUS_FIRST for w in words):
                continue
            line_end = _LINE_END_RE.match(text, words[-1].end)
            if line_end is None:
                continue  # the name must fill the rest of its line
            next_line = "\n" in closing.group("gap")
            last_line = _NON_BLANK_RE.search(text, line_end.end()) is None
            if self._is_cued_first(text, words) or (next_line and closing.group("titles")):
                found.append(_candidate(words, _STRONG_SCORE, "closing formula"))
            elif next_line or (
                last_line and len(words) <= 2 and not _NOUN_SUFFIX_RE.search(words[0].text)
            ):
                # next line, or "VG Chen" as the last line of the text
                found.append(_candidate(words, _WEAK_LABEL_SCORE, "closing formula"))
        return found

    def _first_names(self, text: str) -> list[_Candidate]:
        found = []
        covered_until = 0
        sentence_ends = NextMatch(_SENTENCE_END_RE, text)  # one search per sentence
        for match in _WORD_RE.finditer(text):
            if match.start() < covered_until:
                continue
            if not self._is_first_word(match.group(), cued=False):
                if match.group() not in _AMBIGUOUS_FIRST:
                    continue  # most capitalised words (German nouns): no name
                # "von Can Meyer": an ambiguous first name mid-sentence before a surname
                words = _read_words(text, match.start())
                if not (
                    len(words) > 1
                    and words[1].text not in _STOP
                    and _AMBIGUOUS_BEFORE_RE.search(text, max(0, match.start() - 40), match.start())
                    and not _is_question_mark(text, sentence_ends.at(words[1].end))
                ):
                    continue
            name = self._first_name_run(_read_words(text, match.start()))
            if not name:
                continue
            covered_until = name[-1].end
            score = _FIRST_LAST_SCORE if len(name) > 1 else _LONE_FIRST_SCORE
            found.append(_candidate(name, score, "first-name list"))
        return found

    # --- helpers ----------------------------------------------------------------------
    def _is_first_word(self, word: str, cued: bool = True) -> bool:
        # "Hans-Peter" counts when its first part is a known first name.
        names = self.cued_first_names if cued else self.first_names
        return word not in _STOP and word.split("-", 1)[0] in names

    def _is_first(self, word: _Word) -> bool:
        return not word.has_particle and self._is_first_word(word.text)

    def _is_cued_first(self, text: str, words: list[_Word]) -> bool:
        """A known first name after a cue; an ambiguous one ("Can") only when a surname
        follows or the name ends its clause."""
        if self._is_first(words[0]):
            return True
        if words[0].has_particle or words[0].text not in _AMBIGUOUS_FIRST:
            return False
        if len(words) > 1 and words[1].text not in _STOP:
            return True
        return bool(_CLAUSE_END_RE.match(text, words[0].end))

    def _first_name_run(self, words: list[_Word]) -> list[_Word]:
        """Leading known first names (up to three) plus one surname-like word."""
        run = 0
        while run < min(3, len(words)) and (
            self._is_first(words[run]) or (run == 0 and words[0].text in _AMBIGUOUS_FIRST)
        ):
            run += 1
        run = max(run, 1)
        if run < len(words) and words[run].text not in _STOP:
            run += 1
        return words[:run]

    def _to_result(self, candidate: _Candidate) -> RecognizerResult:
        return explained_result(
            self,
            candidate.start,
            candidate.end,
            candidate.score,
            f"PERSON by rule: {candidate.rule}",
        )


def _read_words(text: str, pos: int, *, leading_particle: bool = False) -> list[_Word]:
    """Read up to four capitalised words on one line, starting at ``pos``."""
    words: list[_Word] = []
    while len(words) < 4:
        start = pos
        if words:
            gap = _GAP_RE.match(text, pos)
            if gap is None:
                break
            start = gap.end()
        if words:
            particle = _MID_PARTICLE_RE.match(text, start)
        else:
            particle = _LEAD_PARTICLE_RE.match(text, start) if leading_particle else None
        word = _WORD_RE.match(text, particle.end() if particle else start)
        if word is None or not word.group()[0].isupper():  # the classes admit "ł" in "łąka"
            break
        words.append(_Word(start, word.end(), word.group(), particle is not None))
        pos = word.end()
    return words


def _take_until_stop(words: list[_Word], keep_first: frozenset[str] = frozenset()) -> list[_Word]:
    for i, word in enumerate(words):
        if word.text in _STOP and not (i == 0 and word.text in keep_first):
            return words[:i]
    return words


def _repeat(text: str, candidates: list[_Candidate]) -> list[_Candidate]:
    """A lone first name counts when the text names that person in full elsewhere:
    "Thomas (Thomas Brunner) hat angerufen", "Hallo Anna Weber, ... Anna meinte"."""
    named = {
        text[c.start : c.end].split()[0]
        for c in candidates
        if c.score >= _WEAK_LABEL_SCORE and len(text[c.start : c.end].split()) > 1
    }
    return [
        _Candidate(c.start, c.end, _FIRST_LAST_SCORE, "first name of a named person")
        if c.score == _LONE_FIRST_SCORE and text[c.start : c.end] in named
        else c
        for c in candidates
    ]


def _candidate(words: list[_Word], score: float, rule: str) -> _Candidate:
    return _Candidate(words[0].start, words[-1].end, score, rule)


def _best_non_overlapping(candidates: list[_Candidate]) -> list[_Candidate]:
    """Highest score first, then longest span; drop anything overlapping a kept one."""
    kept = keep_non_overlapping(
        candidates, lambda c: (c.start, c.end), lambda c: (-c.score, c.start - c.end, c.start)
    )
    return sorted(kept, key=lambda c: c.start)


def _is_question_mark(text: str, position: int) -> bool:
    return position < len(text) and text[position] == "?"
