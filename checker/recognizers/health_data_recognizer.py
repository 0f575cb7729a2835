"""Health information about a person, GDPR Art. 9 (entity ``HEALTH_DATA``)."""

from __future__ import annotations

import bisect
import re
from functools import cache
from typing import Any

from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from checker.recognizers.health_context import (
    about_no_one,
    extend_qualifiers,
    has_anchor,
    list_items,
)
from checker.recognizers.health_terms import health_terms
from checker.recognizers.spans import NextMatch

STRONG_SCORE = 0.7  # a health statement on its own
WEAK_SCORE = 0.4  # needs a cue word nearby (+0.35 from Presidio's context enhancer)
# ICD-10-GM: letter (not U), two digits, optional .1-2 digits, optional certainty
# suffix (G gesichert, V Verdacht, A ausgeschlossen, Z Zustand nach; L/R/B side).
# Dotted codes ("F32.1", "M54.5") are rarely anything else in business text and count
# alone (0.5, the default threshold) unless a room/part/section label stands right
# before them ("Raum B12.3"); undotted ones ("B12", "C03") are version, room and cell
# names far more often and need a medical cue (0.3 + 0.35).
ICD_DOTTED_SCORE = 0.5
ICD_SCORE = 0.3
ICD10_DOTTED = r"(?<![\w.])[A-TV-Z]\d{2}\.\d{1,2}[GVAZLRB]?(?![\w-]|[.,]\w)"
ICD10 = r"(?<![\w.])[A-TV-Z]\d{2}[GVAZLRB]?(?![\w-]|[.,]\w)"
GDB = r"(?<!\w)GdB\s*(?:von\s*)?\d{2,3}(?!\w)"  # Grad der Behinderung; "gdb" is a debugger
# Any medicine by its dose: "ASS 100 mg", "Ramipril 5 mg 1-0-0", "Ibu 600 1-0-1" — the
# name is the finding (the look-ahead holds the dose).
MEDICATION_DOSE = (
    r"(?<![\w-])[A-Z][A-Za-z-]{2,30}(?=[ \t]+\d+(?:[.,]\d+)?[ \t]*"
    r"(?:mg|µg|mcg|ug|IE|I\.E\.|mmol)(?![A-Za-z])|[ \t]+(?:\d+(?:[.,]\d+)?[ \t]*\w{0,3}[ \t]+)?"
    r"[0-9½]-[0-9½]-[0-9½](?:-[0-9½])?(?![\d-]))"
)
# Clinical compounds the term list cannot enumerate: an injury, inflammation, allergy or
# operation of a body part ("Knieprellung", "Sehnenscheidenentzündung", "Nussallergie",
# "Meniskus-OP", "Appendektomie", "knee arthroscopy"). Scored like strong terms; the
# general-context rules (health_context) still drop them in texts about no one.
CLINICAL_COMPOUND = (
    r"(?i:(?<![\w-])[a-zäöüß]{2,}-?(?:entzündung(?:en)?|prellung(?:en)?|zerrung(?:en)?"
    r"|verstauchung(?:en)?|quetschung(?:en)?|schnittwunde|platzwunde|bisswunde"
    r"|fraktur(?:en)?|allergie(?:n)?|unverträglichkeit|intoleranz|insuffizienz"
    # not "-tomie" (Anatomie), "-skopie" (Spektroskopie), "-operation" (Kooperation)
    r"|karzinom|ektomie|-op|-operation)(?![\w-])"
    r"|(?<![\w-])(?:knee|hip|shoulder|wrist|ankle|back|spine|heart|bowel|ACL|cruciate"
    r"|ligament|tendon)[ \t]+(?:arthroscopy|surgery|operation|replacement|fusion|condition"
    r"|injury|problems?|reconstruction|repair|rupture|tear)(?![\w-])"
    r"|(?<![\w-])broke[ \t]+(?:his|her|my|their|a)[ \t]+(?:leg|arm|wrist|ankle|hip|collarbone"
    r"|nose|foot|hand|rib|ribs|finger|toe)(?![\w-]))"
)
# A lab value with its number: "HbA1c 8,9 %", "TSH 6,2", "CRP: 45 mg/l", "INR 2.4".
LAB_VALUE = (
    r"(?<![\w-])(?:HbA1c|TSH|fT3|fT4|CRP|INR|PSA|LDL|HDL|eGFR|GFR|Kreatinin|Creatinine"
    r"|Hb|Ferritin|Troponin|Blutzucker|BZ|Quick)[ \t]*(?::|=|von|of)?[ \t]*\d{1,4}(?:[.,]\d{1,2})?"
    r"(?:[ \t]*(?:%|mg/dl|mg/l|mmol/l|mmol/mol|µU/ml|mU/l|ng/ml|g/dl|ml/min))?(?![\w.,]\d)"
)
PROMOTE_REACH = 150  # a weak term this close to a strong one is health data too
LABEL_SCORE = 0.6  # "Diagnose: <unknown words>": the label makes them health data
LABEL_WORDS = 4  # at most this many words after "Diagnose:" are the diagnosis
LABEL_REACH = 40  # a known diagnosis this close after a label replaces the label
# Before a weak term, a salutation makes it a surname ("Herr Krebs"); after it, a
# company form makes it a firm ("Krebs & Partner Steuerberatung").
_NAME_BEFORE = re.compile(
    r"(?:\b(?:Herrn?|Frau|Hr|Fr|Dr|Prof|Familie|Mr|Mrs|Ms|Dear)\.?\s+(?:Dr\.?\s+)?)$"
)
_FIRM_AFTER = re.compile(
    r"^\s*(?:&|\+|und\s+Partner|and\s+Partners?|GmbH|AG|KG|OHG|mbB|Ltd|Inc|LLC|"
    r"Steuerberatung|Rechtsanwälte|Consulting)\b",
    re.IGNORECASE,
)
# What ends a diagnosis written after a label: end of line, sentence or list item.
# The value is the run of characters up to _VALUE_END (at least one); found with
# NextMatch, which does not re-read a long unterminated run once per label in it.
_LABEL_COLON = re.compile(r"[ \t]*:[ \t]*")
_VALUE_END = re.compile(r"[\n.;,()\[\]]")
_NO_VALUE = re.compile(r"(?i)(?:keine?|none|n/?a|-+|–|unbekannt|unknown|siehe|see|tbd)\b")
_NON_BLANK = re.compile(r"\S")
_WORD = re.compile(r"\S+")


def _alternation(terms: list[str]) -> str:
    """One case-insensitive, whole-word regex for `terms`, as a prefix tree: Python's
    regex engine tries alternatives one by one, so shared prefixes are factored out
    (a flat list of 500 terms is several times slower). Longer terms win: at each
    node the ways on are tried before the term ending there."""
    trie: dict[str, Any] = {}
    for term in {t.lower() for t in terms}:
        node = trie
        for char in term.removesuffix("*"):
            node = node.setdefault(char, {})
        node["*" if term.endswith("*") else ""] = True
    # a hyphen and a lower-case word may follow ("Rollstuhl-gerecht"); not a capital
    # one, which makes a compound of its own ("Krebs-Vorsorge")
    return r"(?i:(?<!\w)" + _trie_regex(trie) + r"(?!\w|-(?-i:[^\W\da-zäöüß])))"


def _trie_regex(node: dict[str, Any]) -> str:
    branches = []
    for char in sorted(k for k in node if k not in ("", "*")):
        atom = r"\s+" if char == " " else re.escape(char)
        branches.append(atom + _trie_regex(node[char]))
    if "*" in node:
        branches.append(r"[\w-]*")  # a word that may go on ("schwanger*")
    elif "" in node:
        branches.append("")  # the term ends here
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


@cache
def _label_re() -> re.Pattern[str]:
    return re.compile(_alternation(health_terms()["labels"]))


@cache
def _non_medical_re() -> re.Pattern[str]:
    """A room/part/section label right before an ICD shape ("Raum B12.3")."""
    words = "|".join(re.escape(w) for w in sorted(health_terms()["icd_non_medical"], key=len)[::-1])
    return re.compile(r"(?i:(?<!\w)(?:" + words + r")\.?(?:\s*(?:Nr\.?|No\.?|#))?\s*[:\-]?\s*)$")


class HealthDataRecognizer(PatternRecognizer):
    """Recognize health information: sick notes, diagnoses, disability, pregnancy, therapy.

    Formats: German and English terms from ``rules/health_terms.yaml`` (strong terms
    alone, weak terms with a person or medical cue), dotted ICD-10 codes alone and
    undotted ones next to a cue such as "Diagnose" or "ICD", and whatever follows a
    label such as "Diagnose:". Adjacent terms are one finding ("arbeitsunfähig
    erkrankt"), the longest term wins ("Diabetes mellitus Typ 2"), and a label is not
    the finding when a diagnosis follows it. Fictitious examples: "Herr Becker ist bis
    Freitag krankgeschrieben", "Diagnose F32.1", "she is pregnant".
    """

    def __init__(
        self,
        supported_language: str = "de",
        supported_entity: str = "HEALTH_DATA",
        name: str | None = None,
    ) -> None:
        terms = health_terms()
        self._label_name: str = name or "HealthDataRecognizer"
        patterns = [
            Pattern(
                "health term (strong)",
                _alternation(terms["strong"]["de"] + terms["strong"]["en"]),
                STRONG_SCORE,
            ),
            Pattern("medication", _alternation(terms["medications"]), STRONG_SCORE),
            Pattern("medication with a dose", MEDICATION_DOSE, STRONG_SCORE),
            Pattern(
                "health term (weak)",
                _alternation(terms["weak"]["de"] + terms["weak"]["en"]),
                WEAK_SCORE,
            ),
            Pattern("ICD-10 code (dotted)", ICD10_DOTTED, ICD_DOTTED_SCORE),
            Pattern("ICD-10 code", ICD10, ICD_SCORE),
            Pattern("degree of disability (GdB)", GDB, STRONG_SCORE),
            Pattern("clinical compound", CLINICAL_COMPOUND, STRONG_SCORE),
            Pattern("lab value", LAB_VALUE, STRONG_SCORE),
        ]
        super().__init__(
            supported_entity=supported_entity,
            name=self._label_name,
            patterns=patterns,
            context=list(terms["context"]),
            supported_language=supported_language,
            # Case-sensitive by default: ICD codes are upper case; the term patterns
            # carry their own (?i:...).
            global_regex_flags=re.DOTALL | re.MULTILINE,
        )

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        results = [r for r in results if not self._is_name_or_place(text, r)]
        results = self._apply_labels(text, results)
        results += [
            self._result(text, start, end, STRONG_SCORE, "item of a health list")
            for start, end in list_items(text)
        ]
        results = _merge_adjacent(text, _drop_contained(results))
        results = [extend_qualifiers(text, r) for r in results]
        self._promote_weak(text, results)
        return [
            r
            for r in results
            if not about_no_one(text, r.start, r.end) and not _HEADING_AFTER.match(text, r.end)
        ]

    def _promote_weak(self, text: str, results: list[RecognizerResult]) -> None:
        """A weak term ("Rollstuhl", "Sauerstoff", "Reha") is health data next to another
        health statement or where a person is named ("Mein Vater … im Rollstuhl")."""
        # Starts of the strong results, sorted: "is one near" is a bisection, not a pass
        # over all of them per weak term (quadratic on a text full of health terms).
        strong = sorted(r.start for r in results if r.score >= STRONG_SCORE)
        for r in results:
            if r.score != WEAK_SCORE:
                continue
            i = bisect.bisect_left(strong, r.start - PROMOTE_REACH)
            near = i < len(strong) and strong[i] <= r.start + PROMOTE_REACH
            if near or has_anchor(text, r.start, r.end):
                r.score = STRONG_SCORE

    @staticmethod
    def _is_name_or_place(text: str, result: RecognizerResult) -> bool:
        before = text[max(0, result.start - 30) : result.start]
        if result.score == ICD_DOTTED_SCORE and text[result.start].isupper():
            return _non_medical_re().search(before) is not None
        if result.score != WEAK_SCORE:
            return False
        after = text[result.end : result.end + 30]
        return bool(_NAME_BEFORE.search(before) or _FIRM_AFTER.search(after))

    def _apply_labels(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """A label ("Diagnose:") is not the finding when a diagnosis follows it; when
        none follows but a colon does, the first words after it are the diagnosis.

        Results are looked up by bisect (sorted by start for the ones that follow a
        label, by end for the label's own), not by a pass over all results per label,
        which was quadratic on a text full of labels."""
        by_start = sorted(results, key=lambda r: r.start)
        starts = [r.start for r in by_start]
        by_end = sorted(results, key=lambda r: r.end)
        ends = [r.end for r in by_end]
        added: list[RecognizerResult] = []  # label values, in label order
        by_end_added: list[RecognizerResult] = []  # the same, by end
        added_ends: list[int] = []
        dropped: set[int] = set()  # id() of results that are a label's own
        value_ends = NextMatch(_VALUE_END, text)
        for label in _label_re().finditer(text):
            start, end = label.span()
            # Results starting within LABEL_REACH after the label on its line; the
            # nearest decides (a line break before it is before all later ones too).
            i = bisect.bisect_left(starts, end)
            following = (
                i < len(starts)
                and starts[i] <= end + LABEL_REACH
                and "\n" not in text[end : starts[i]]
            )
            # Results (and earlier label values) that end within the label.
            own = by_end[bisect.bisect_right(ends, start) : bisect.bisect_right(ends, end)]
            own += by_end_added[
                bisect.bisect_right(added_ends, start) : bisect.bisect_right(added_ends, end)
            ]
            if following:
                dropped.update(id(r) for r in own)
                continue
            span = _value_span(text, end, value_ends)
            if span is None:
                continue
            words = _first_words(text, *span)
            if not words or _NO_VALUE.match(text, words[0][0], _rstrip(text, *span)):
                continue
            if not _has_alnum(text, *span):
                continue
            v_start, v_end = words[0][0], words[-1][1]
            dropped.update(id(r) for r in own)
            found = self._result(text, v_start, v_end, LABEL_SCORE, "after a diagnosis label")
            added.append(found)
            at = bisect.bisect_right(added_ends, v_end)  # usually the end: values ascend
            added_ends.insert(at, v_end)
            by_end_added.insert(at, found)
        return [r for r in [*results, *added] if id(r) not in dropped]

    def _result(self, text: str, start: int, end: int, score: float, why: str) -> RecognizerResult:
        explanation = self.build_regex_explanation(
            self._label_name, why, "", score, False, regex_flags=0
        )
        return RecognizerResult(
            entity_type=self.supported_entities[0],
            start=start,
            end=end,
            score=score,
            analysis_explanation=explanation,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self._label_name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )


def _value_span(text: str, label_end: int, ends: NextMatch) -> tuple[int, int] | None:
    """The value after the label's colon and blanks, up to a line break, ".", ";",
    ",", a parenthesis or a bracket (not included; at least one character), or None."""
    colon = _LABEL_COLON.match(text, label_end)
    if colon is None:
        return None
    start = colon.end()
    end = ends.at(start)
    return (start, end) if end > start else None


def _first_words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the first LABEL_WORDS words of text[start:end]."""
    words = []
    for word in _WORD.finditer(text, start, end):
        words.append(word.span())
        if len(words) == LABEL_WORDS:
            break
    return words


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _has_alnum(text: str, start: int, end: int) -> bool:
    """Any letter or digit in text[start:end] (read up to the first one)."""
    return any(text[i].isalpha() or text[i].isdigit() for i in range(start, end))


def _drop_contained(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Longest match first: drop a result inside a longer (or equal, stronger) one."""
    ordered = sorted(results, key=lambda r: (r.start, -r.end, -r.score))
    kept: list[RecognizerResult] = []
    reach = -1  # the furthest end of a kept result (all of them start at or before r)
    for r in ordered:
        if kept and r.end <= reach:
            continue
        kept.append(r)
        reach = max(reach, r.end)
    return kept


# A word before a colon heads a section ("Therapie:", "Allergien:"): no finding itself,
# unless a yes or a degree answers it ("Schwerbehinderung: ja, GdB 50").
_HEADING_AFTER = re.compile(r"[ \t]*:(?!\d|[ \t]*(?i:ja|yes|GdB|seit|since)\b)")
_ADJACENT = re.compile(r"[ \t-]{0,2}")
_OPEN_PAREN = re.compile(r"[ \t]*\([ \t]*")  # "Schwerbehinderung (GdB 50)", "Depression (F32.1)"


def _merge_adjacent(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Terms separated only by a blank or a hyphen are one statement ("arbeitsunfähig
    erkrankt"), and so is a term with a finding in parentheses right after it
    ("Schwerbehinderung (GdB 50)"): one finding with the best score of its parts."""
    merged: list[RecognizerResult] = []
    for r in sorted(results, key=lambda r: r.start):
        last = merged[-1] if merged else None
        gap = text[last.end : r.start] if last is not None else ""
        paren = bool(_OPEN_PAREN.fullmatch(gap)) and text[r.end : r.end + 1] == ")"
        if last is not None and (_ADJACENT.fullmatch(gap) or paren):
            if r.score > last.score:
                last.score = r.score
                last.analysis_explanation = r.analysis_explanation
            last.end = max(last.end, r.end + (1 if paren else 0))
            continue
        if last is not None and r.end <= last.end:
            continue
        merged.append(r)
    return merged
