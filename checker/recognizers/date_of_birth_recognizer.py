"""Dates of birth: a calendar date next to a birth cue (entity ``DATE_OF_BIRTH``)."""

from __future__ import annotations

import bisect
import datetime
import re

from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from checker.recognizers.cue_context import BOOST, boost_by_cue
from checker.recognizers.sql_inserts import column_key, insert_cells
from checker.recognizers.table_columns import column_spans

# Month names and abbreviations, German (incl. Austrian "Jänner") and English.
_MONTHS = {
    "januar": 1,
    "jänner": 1,
    "jaenner": 1,
    "january": 1,
    "jan": 1,
    "februar": 2,
    "feber": 2,
    "february": 2,
    "feb": 2,
    "febr": 2,
    "märz": 3,
    "maerz": 3,
    "march": 3,
    "mär": 3,
    "mrz": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mai": 5,
    "may": 5,
    "juni": 6,
    "june": 6,
    "jun": 6,
    "juli": 7,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "oktober": 10,
    "october": 10,
    "okt": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "dezember": 12,
    "december": 12,
    "dez": 12,
    "dec": 12,
}
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_SP = r"[ \t\u00a0]"
_ORD = r"(?:\.|st|nd|rd|th)?"
# Not glued to word characters or to further ".digit" / ",digit" parts; a comma after
# a non-digit is a CSV separator ("Anna Weber",03.04.1985).
_START = r"(?<![\w./-])(?<!\d,)"
_END = r"(?![\w/-])(?![.,]\d)"
_DATE_REGEXES = (
    ("dd.mm.yyyy", rf"{_START}\d{{1,2}}\.{_SP}?\d{{1,2}}\.{_SP}?(?:\d{{4}}|\d{{2}}){_END}"),
    ("yyyy-mm-dd", rf"{_START}\d{{4}}-\d{{1,2}}-\d{{1,2}}{_END}"),
    ("dd/mm/yyyy", rf"{_START}\d{{1,2}}/\d{{1,2}}/(?:\d{{4}}|\d{{2}}){_END}"),
    ("d. Month yyyy", rf"{_START}\d{{1,2}}{_ORD}{_SP}*(?:of{_SP}+)?{_MONTH},?{_SP}+\d{{4}}{_END}"),
    ("Month d, yyyy", rf"(?<![\w.]){_MONTH}{_SP}+\d{{1,2}}{_ORD},?{_SP}+\d{{4}}{_END}"),
)
# Every date-shaped span, including future and impossible ones: a cue only counts
# for the nearest date, never across another date.
_ANY_DATE_RE = re.compile("|".join(f"(?:{r})" for _, r in _DATE_REGEXES), re.IGNORECASE)

_BASE_SCORE = 0.3
_PATTERNS = tuple(Pattern(f"date ({name})", regex, _BASE_SCORE) for name, regex in _DATE_REGEXES)

# Birth cues as whole words (case-insensitive), before the date or shortly after it.
_CUE_RE = re.compile(
    r"(?<![^\W\d_])(?:geboren(?:\s+am)?|geburtsdatum|geburtstag|geb\.-?datum|geb\.?\s*dat\.?"
    r"|gebdat|geburtsdaten|born(?:\s+on)?|birthday|birthdate|birth\s*date|date\s+of\s+birth"
    r"|d\.?o\.?b\.?)(?![^\W\d_])",
    re.IGNORECASE,
)
# Cues that only count directly before the date: "geb. 03.04.1985" ("geb. Müller" is
# a maiden name, so "geb." a few words earlier says nothing) and "*18.03.1990".
_ADJACENT_CUE_RE = re.compile(
    r"(?:(?<![^\W\d_])geb\.?(?:\s*(?:am|:))?|\*)[ \t\u00a0]*\Z",
    re.IGNORECASE,
)
_CUE_BEFORE = 60  # characters before a date that are searched for a cue
_CUE_AFTER = 25  # "03.04.1985 geboren", "(DOB)"
_ADJACENT_BEFORE = 12
# Dotted numbers after these labels are versions or sections, not dates; and a date
# labelled as another kind of date is no birth date ("Stichtag 31.12.2025", even with
# "Geburtsdatum" in the same sentence).
_NOT_DATE_LABEL_RE = re.compile(
    r"(?<![^\W\d_])(?:version|ver|v|release|build|abschnitt|kapitel|section|chapter|§"
    r"|stichtag|frist|deadline|fällig(?:keit)?|liefertermin|lieferdatum|rechnungsdatum"
    r"|bestelldatum|eintrittsdatum|austrittsdatum|kündigungsdatum|gültig[ \t]+bis"
    r"|valid[ \t]+until|due[ \t]+date|cut-?off(?:[ \t]+date)?|as[ \t]+of|expiry[ \t]+date)"
    r"[.:]?[ \t\u00a0]*\Z",
    re.IGNORECASE,
)

# CSV-like tables: a date in a column with one of these headers is a date of birth
# ("Name;Geburtsdatum" / "Anna Weber;03.04.1985"), however far away the header is.
BIRTH_COLUMNS = (
    "geburtsdatum",
    "geb.-datum",
    "geb.datum",
    "geb._datum",
    "geb_datum",
    "geb-datum",
    "geburts_datum",
    "geb.",
    "geb",
    "gebdat",
    "geboren",
    "geboren_am",
    "geburtstag",
    "dob",
    "d.o.b.",
    "date_of_birth",
    "dateofbirth",
    "birthdate",
    "birth_date",
    "birthday",
    "born",
)

EARLIEST_BIRTH = datetime.date(1900, 1, 1)


class DateOfBirthRecognizer(PatternRecognizer):
    """Recognize dates of birth: a real calendar date with a birth cue next to it.

    Formats: ``03.04.1985``, ``3.4.85``, ``1985-04-03``, ``03/04/1985`` (day or month
    first), ``3. April 1985``, ``3 Apr. 1985``, ``April 3, 1985``, ``3rd of April 1985``
    (German and English month names). Fictitious example: ``geboren am 03.04.1985``.

    A date alone is no date of birth (invoices, appointments, deadlines), so every
    date scores 0.3, below the 0.5 threshold, and a birth cue adds 0.35 (0.65): within
    60 characters before the date or 25 after it, as a whole word (geboren, geboren
    am, Geburtsdatum, Geb.-Datum, Geburtstag, DOB, date of birth, born, birthday ...);
    ``geb.`` and the genealogical asterisk (``*18.03.1990``) only directly before the
    date. A cue only counts for the nearest date: another date between cue and match
    blocks it, and a cue after a date that stands right before the next date belongs
    to that one. ``validate_result`` drops dates that do not exist in the calendar or lie
    outside 1900-01-01 … today (two-digit years: ``85`` → 1985, ``15`` → 2015), and
    dotted numbers right after a version or section label (``Version 1.2.1985``) are
    dropped in ``analyze``. ``validate_result`` returns ``None`` for a plausible date
    on purpose: Presidio turns ``True`` into score 1.0, which would skip the cue gate.
    """

    name: str  # set by EntityRecognizer; declared because mypy cannot infer it there
    BASE_SCORE = _BASE_SCORE

    def __init__(
        self,
        supported_language: str = "de",
        supported_entity: str = "DATE_OF_BIRTH",
        patterns: list[Pattern] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(
            supported_entity=supported_entity,
            patterns=patterns if patterns else list(_PATTERNS),
            # No Presidio context words: cues are matched whole-word in enhance_using_context.
            supported_language=supported_language,
            name=name or type(self).__name__,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        """Keep real dates between 1900 and today at the base score; drop the rest."""
        today = datetime.date.today()
        plausible = any(EARLIEST_BIRTH <= d <= today for d in parse_dates(pattern_text, today))
        return None if plausible else False

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """Find plausible dates; drop dotted numbers after a version or section label."""
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        return [
            r
            for r in results
            if not _NOT_DATE_LABEL_RE.search(text[max(0, r.start - 20) : r.start])
        ]

    def enhance_using_context(
        self,
        text: str,
        raw_recognizer_results: list[RecognizerResult],
        other_raw_recognizer_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        """Boost a date when a birth cue stands next to it with no other date between."""
        dates = [m.span() for m in _ANY_DATE_RE.finditer(text)]  # sorted, disjoint
        starts, ends = [start for start, _ in dates], [end for _, end in dates]
        extra = " ".join(context or [])
        for result in raw_recognizer_results:
            # The cue window stops at the neighbouring dates.
            i = bisect.bisect_right(ends, result.start)
            prev_end = ends[i - 1] if i else 0
            j = bisect.bisect_left(starts, result.end)
            next_start = starts[j] if j < len(starts) else len(text)
            before = min(_CUE_BEFORE, result.start - prev_end)
            after = min(_CUE_AFTER, next_start - result.end)
            cue_after = _CUE_RE.search(text, result.end, result.end + after)
            if cue_after and next_start < len(text) and next_start - cue_after.end() <= _CUE_BEFORE:
                after = 0  # "Eintritt 01.02.2010, geboren am 03.04.1985": the cue is the next's
            boost_by_cue(
                text,
                [result],
                _CUE_RE,
                before=before,
                after=after,
                extra=extra,
                max_score=self.MAX_SCORE,
            )
            if result.score == self.BASE_SCORE:
                boost_by_cue(
                    text,
                    [result],
                    _ADJACENT_CUE_RE,
                    before=min(_ADJACENT_BEFORE, before),
                    max_score=self.MAX_SCORE,
                )
        self._boost_birth_columns(text, raw_recognizer_results)
        return raw_recognizer_results

    def _boost_birth_columns(self, text: str, results: list[RecognizerResult]) -> None:
        """A date that fills a cell under a birth-date header gets the cue boost."""
        pending = [r for r in results if r.score == self.BASE_SCORE]
        if not pending:
            return
        cells = column_spans(text, BIRTH_COLUMNS)
        # and quoted cells of SQL INSERTs under a birth-date column
        birth_keys = {column_key(c) for c in BIRTH_COLUMNS}
        cells += [(s, e) for cols, i, s, e in insert_cells(text) if cols[i] in birth_keys]
        cells.sort()  # sorted and disjoint: bisect
        starts = [start for start, _ in cells]
        for result in pending:
            i = bisect.bisect_right(starts, result.start) - 1
            if i < 0 or result.end > cells[i][1]:
                continue
            result.score = min(result.score + BOOST, self.MAX_SCORE)
            if result.analysis_explanation is not None:
                result.analysis_explanation.set_supportive_context_word("birth-date column")
                result.analysis_explanation.set_improved_score(result.score)
            result.recognition_metadata[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True


def parse_dates(value: str, today: datetime.date | None = None) -> list[datetime.date]:
    """Every calendar date ``value`` can stand for (``03/04/1985`` is two); [] if none."""
    today = today or datetime.date.today()
    numbers = [int(n) for n in re.findall(r"\d+", value)]
    words = [w.lower().rstrip(".") for w in re.findall(r"[^\W\d_]+\.?", value)]
    month_words = [_MONTHS[w] for w in words if w in _MONTHS]
    candidates: list[tuple[int, int, int]] = []  # (year, month, day)
    if month_words and len(numbers) == 2:
        candidates.append((numbers[1], month_words[0], numbers[0]))
    elif len(numbers) == 3 and "-" in value:
        candidates.append((numbers[0], numbers[1], numbers[2]))
    elif len(numbers) == 3:
        day, month, year = numbers
        year = _full_year(year, today) if year < 100 else year
        candidates.append((year, month, day))
        if "/" in value:
            candidates.append((year, day, month))  # US order, 04/25/1985
    found = []
    for year, month, day in candidates:
        try:
            found.append(datetime.date(year, month, day))
        except ValueError:
            continue
    return found


def _full_year(two_digits: int, today: datetime.date) -> int:
    """``85`` → 1985, ``15`` → 2015 (the latest year that is not in the future)."""
    year = 2000 + two_digits
    return year if year <= today.year else 1900 + two_digits
