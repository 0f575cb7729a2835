"""Context-gated recognizer for German number plates (entity ``DE_KFZ``)."""

from __future__ import annotations

import re
from functools import cache

from presidio_analyzer import Pattern, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    DeKfzRecognizer as _UpstreamDeKfzRecognizer,
)

from checker.recognizers.cue_context import boost, boost_by_cue
from checker.recognizers.standalone import is_standalone
from checker.recognizers.table_columns import column_header
from rules import rules_yaml

_CUE_RE = re.compile(
    r"(?<![^\W\d_])(?:"
    r"(?:kfz|auto|fahrzeug|amtliche[sn]?)?[- ]?kennzeichen[s]?|nummernschild(?:er)?"
    r"|kfz|pkw|lkw|auto|fahrzeug(?:e|s|es)?|(?:dienst|firmen)(?:wagen|fahrzeug)"
    r"|fahrzeughalter(?:in)?|halter(?:in)?|zulassung|fahrzeugschein|fahrzeugbrief"
    r"|zulassungsbescheinigung|falschparker|parkplatz|parkplätze|tiefgarage|blitzer"
    r"|stellplatz|stellplätze|stellplatzvergabe|parkausweis|parkberechtigung|garage"
    r"|fuhrpark|kennz\.?|transporter|anhänger|motorrad|wohnmobil|leasingfahrzeug"
    r"|(?:license|licence|number|registration)\s+plate(?:s)?|plate\s+number|plates?"
    r"|car|cars|vehicle(?:s|\s+registration)?|parking(?:\s+(?:space|spot|lot|permit))?"
    r"|truck|fleet"
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
# The written form "XX-YY 1234" (hyphen after the district, space before the number)
# with a real district code is a plate even without a cue: few other things are
# written that way. Not "XX-YY-1234" (article and ticket numbers look like that).
_HYPHEN_FORM_RE = re.compile(r"([A-ZÄÖÜ]{1,3})-([A-Z]{1,2}) ([1-9]\d{0,3})[EH]?")
# Any written form, for a plate that stands alone (message, line or table cell).
_ANY_FORM_RE = re.compile(r"([A-ZÄÖÜ]{1,3})(?:-|-? )([A-Z]{1,2})[ -]([1-9]\d{0,3})[EH]?")
_HYPHEN_FORM_SCORE = 0.5
_CUE_SCORE = 0.75  # any plate shape with a cue word
# Labels right before a match that make it an article, invoice, room or norm number
# ("Artikel AB-CD 1234", "Rechnung RE-AB 4711"): no plate without a cue then.
_NOT_PLATE_LABEL_RE = re.compile(
    r"(?<![^\W\d_])(?:art(?:ikel)?(?:nummer|nr)?|art\.-nr|nr|nummer|no|number|nº|ref"
    r"|referenz|rechnung(?:snummer)?|rg|re|bestellung|bestellnummer|auftrag|order|invoice"
    r"|ticket|vorgang|projekt|project|aktenzeichen|az|modell|model|typ|type|serie|series"
    r"|version|raum|zimmer|room|gebäude|building|halle|tor|gate|gleis|seite|page|kapitel"
    r"|abschnitt|section|norm|din|iso|en|sku|part|item|teil|sachnummer|material|produkt"
    r"|product|charge|los|lot|batch|kw|konto|kostenstelle|vertrag|police|schaden|id"
    r"|lieferschein|position|pos|formular|form|anlage|anhang|code|kürzel|phase|stufe|level"
    r"|baureihe|gewinde|schraube|größe|size|variante|variant|format|klasse|class)\.?[\s:#]*\Z",
    re.IGNORECASE,
)
_NOT_PLATE_HEADER_RE = re.compile(
    _NOT_PLATE_LABEL_RE.pattern.removesuffix(r"\.?[\s:#]*\Z") + r"(?![^\W\d_])", re.IGNORECASE
)
_LABEL_WINDOW = 25
# Not a plate without a cue: a unit or time word right after the number ("A-B 100 km",
# "MO-FR 9 Uhr"), a weekday range, a year-like number ("EU-KI 2024"), or letters that
# are a common acronym ("HD-TV 4", "HR-IT 2").
_UNIT_AFTER_RE = re.compile(
    r"\s*(?:uhr|h|min|km|m|cm|mm|kg|g|t|l|ml|v|w|kw|kwh|ps|zoll|stück|stk|blatt|seiten"
    r"|%|€|eur|euro|x)(?![^\W\d_])",
    re.IGNORECASE,
)
_WEEKDAYS = frozenset({"MO", "DI", "MI", "DO", "FR", "SA", "SO"})
_ACRONYM_LETTERS = frozenset(
    {"AI", "AR", "DB", "EU", "HR", "ID", "IT", "KI", "OS", "PC", "PR", "QM", "TV", "UI", "UX"}
)
_PATTERNS = (Pattern("Kfz-Kennzeichen", _REGEX, _BASE_SCORE),)
_CONTEXT = ("kennzeichen", "nummernschild", "fahrzeug")
_MAX_CHARS = 8  # FZV: letters + digits (without the E/H suffix) at most 8


def is_valid(plate: str) -> bool:
    """Whether `plate` is written as a plate (upper case, see _ANY_FORM_RE) with at most
    the 8 letters and digits the FZV allows (an E/H suffix not counted)."""
    if _ANY_FORM_RE.fullmatch(plate) is None:
        return False
    core = re.sub(r"[- ]", "", plate)
    if core[-1] in "EH" and core[-2].isdigit():
        core = core[:-1]
    return len(core) <= _MAX_CHARS


@cache
def district_codes() -> frozenset[str]:
    """The Unterscheidungszeichen from ``rules/de_kfz_districts.yaml``."""
    data = rules_yaml("de_kfz_districts.yaml")
    return frozenset(code for codes in data["codes"].values() for code in codes)


def _hyphen_form_plate(text: str, start: int, end: int, header: str) -> bool:
    """A "XX-YY 1234" plate with a known district, not right after an article label
    or under an article-number column (`header`), and not a look-alike."""
    return _plate_without_cue(_HYPHEN_FORM_RE, text, start, end, header)


def _standalone_plate(text: str, start: int, end: int, header: str) -> bool:
    """A plate in any written form alone in its message, line or table cell, with a
    known district and no look-alike."""
    return is_standalone(text, start, end) and _plate_without_cue(
        _ANY_FORM_RE, text, start, end, header
    )


def _plate_without_cue(form: re.Pattern[str], text: str, start: int, end: int, header: str) -> bool:
    match = form.fullmatch(text, start, end)
    if match is None:
        return False
    district, letters, number = match.groups()
    if (
        district not in district_codes()
        or letters in _ACRONYM_LETTERS
        or (district in _WEEKDAYS and letters in _WEEKDAYS)
        or (len(number) == 4 and 1950 <= int(number) <= 2039)
        or _UNIT_AFTER_RE.match(text, end)
    ):
        return False
    label = text[max(0, start - _LABEL_WINDOW) : start]
    return not (_NOT_PLATE_LABEL_RE.search(label) or _NOT_PLATE_HEADER_RE.search(header))


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
    pattern scores 0.4; a cue word (Kennzeichen, Kfz, Pkw, Fahrzeug, Nummernschild,
    Halter, Stellplatz, Parkplatz, license plate, car, vehicle, ...) within about 60
    characters before / 40 after, or as the header of the table column the plate
    stands in (CSV ``...,Kennzeichen``), lifts it to 0.75. Without a cue, the written
    form ``XX-YY 1234`` (hyphen, then space; optional E/H) scores 0.5 when its
    district is in ``rules/de_kfz_districts.yaml`` (about 700 codes, from general
    knowledge) and it is no look-alike: not right after an article/invoice/room/norm
    label or under such a column header, not followed by a unit (``A-B 100 km``,
    ``MO-FR 9 Uhr``), no weekday range, no year-like number (``EU-KI 2024``), no
    acronym letters (``HD-TV 4``, ``HR-IT 2``). The space form ``M AB 1234`` and the
    all-hyphen form ``M-AB-1234`` (article numbers) need a cue in running text; alone
    in a message, on a line or in a table cell (``B AB 1234`` pasted by itself) any
    form with a known district and no look-alike scores 0.5 too.

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
        return None if is_valid(pattern_text) else False

    def enhance_using_context(
        self,
        text: str,
        raw_recognizer_results: list[RecognizerResult],
        other_raw_recognizer_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        """0.75 with a whole-word cue shortly before or after the match, or under a
        table column headed by one ("Kennzeichen"); else 0.5 for the hyphen form with a
        known district; else the base score 0.4."""
        results = boost_by_cue(
            text,
            raw_recognizer_results,
            _CUE_RE,
            before=_PREFIX_CHARS,
            after=_SUFFIX_CHARS,
            extra=" ".join(context or []),
            max_score=_CUE_SCORE,
        )
        for result in results:
            if result.recognition_metadata.get(RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY):
                continue
            if _CUE_RE.search(header := column_header(text, result.start)):
                boost(result, header, _CUE_SCORE)
            elif _hyphen_form_plate(text, result.start, result.end, header) or (
                _standalone_plate(text, result.start, result.end, header)
            ):
                result.score = _HYPHEN_FORM_SCORE
                if result.analysis_explanation is not None:
                    result.analysis_explanation.set_improved_score(result.score)
        return results
