"""Phone numbers for DACH and neighbouring regions (entity ``PHONE_NUMBER``)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

import phonenumbers
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import PhoneRecognizer

from checker.recognizers.cue_context import WholeWordCues
from checker.recognizers.phone_regions import RegionGate
from checker.recognizers.results import explained_result

# Spans that phonenumbers may take for a number but that are something else.
_NOT_PHONE_RE = re.compile(
    r"\b\d{1,2}\.\s?\d{1,2}\.\s?(?:\d{4}|\d{2})\b"  # 03.04.1985, 1.1.20
    r"|\b\d{4}-\d{1,2}-\d{1,2}\b"  # 2024-01-15
    r"|\b\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})\b"  # 04/03/1985
    r"|\b\d{1,2}:\d{2}(?::\d{2})?\b"  # 14:30, 14:30:05
    r"|\b\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?\b(?!\.\d)"  # 1.234,56 / 12.345.678, not 312.555.0173
    r"|\b\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?\b"  # 1,234.56
    r"|\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b"  # IBAN
)
# Labels of other numbers; if one is the nearest label before a match, the match is
# an account, customer, order ... number, not a phone number.
_NR = r"(?:nummer|nr\.?|-nr\.?|-id|id)"
_OTHER_LABEL_RE = re.compile(
    rf"(?<![^\W\d_])(?:iban|bic|blz|konto{_NR}?|kunden{_NR}|bestell{_NR}|auftrags{_NR}"
    rf"|rechnungs{_NR}|rechnung|vertrags{_NR}|versicherungs{_NR}|mitglieds{_NR}"
    rf"|personal{_NR}|aktenzeichen|az|ticket{_NR}?|vorgangs{_NR}|plz|postleitzahl"
    rf"|steuer{_NR}|ust-?id(?:nr)?|idnr|artikel{_NR}|seriennummer|invoice|order|account"
    rf"|sach{_NR}|teile{_NR}|material{_NR}|bauteil{_NR}?|chargen{_NR}|los{_NR}"
    r"|ersatzteil\w*|art\.?-?nr|sn|s/n|serien-?nr"
    r"|customer|contract|policy|zip|postcode|tax|serial|sku|ean|isbn)(?![^\W\d_])",
    re.IGNORECASE,
)
# Phone cue words, German and English, as whole words ("Hotel" and "stellen" contain
# "tel"; "Immobilien" contains "mobil"), so Presidio's substring matching is not used.
_PHONE_LABEL_RE = re.compile(
    r"(?<![^\W\d_])(?:tel|telefon\w*|fon|phone|phones|telephone|mobil|mobile|mobilnummer"
    r"|mobiltelefon|mobilfunk\w*|handy|handynummer|handynr|rufnummer\w*|ruf|rufen|ruf\s?an"
    r"|anruf\w*|fax|faxnummer|festnetz\w*|durchwahl|erreichbar|cell|cellphone|call|whatsapp"
    r"|sms|signal"
    # "my US number", "meine private Nummer", "my mobile number": a possessive, at most
    # one word that names the kind or the country, and "number".
    r"|(?:my|our|his|her|their|your|mein|meine|unsere|seine|ihre|deine)\s+"
    r"(?:(?-i:[A-Z]{2,3}|[A-Z][a-z]+)\s+|(?:mobile|cell|home|work|office|private|direct"
    r"|landline|phone|private|dienstliche|private|geschäftliche)\s+)?(?:number|nummer)"
    r")(?![^\W\d_])",
    re.IGNORECASE,
)
# North American numbers as written there: "(415) 555-0132", "415-555-0132",
# "415.555.0132". With a valid area code and exchange they are phone numbers also
# without a cue; a plain digit run is not.
_NANP_RE = re.compile(r"\(?\d{3}\)?[ .-]?\d{3}[.-]\d{4}")
# Chinese mobile numbers (11 digits, 13x-19x) in national form: libphonenumber checks
# the prefix; CN is no region of the national-format scan (its fixed-line formats are
# broad), so only this shape is tried.
_CN_MOBILE_RE = re.compile(r"(?<![\d+])1[3-9]\d{9}(?!\d)")
# Digit runs that could hold a phone number. phonenumbers scans the whole text once
# per region, which is slow on long prompts, so it only sees padded windows around these.
_CANDIDATE_RE = re.compile(r"[+(]?\d[\d \t()./-]{4,}\d")
_PAD = 30
_LABEL_WINDOW = 50  # characters before a match that are searched for labels

# For Presidio's own enhancer (substring matching on lemmas): words that are safe as
# substrings. Short cues (Tel, Fon, call, mobil) are matched whole-word by
# enhance_using_context instead.
_CONTEXT = (
    "telefon",
    "rufnummer",
    "handynummer",
    "mobilnummer",
    "faxnummer",
    "festnetz",
    "durchwahl",
    "phone",
    "whatsapp",
)


class PhoneNumberRecognizer(WholeWordCues, PhoneRecognizer):
    """Recognize phone numbers with ``phonenumbers`` for DE, AT, CH and neighbours.

    Formats: any number that ``phonenumbers`` accepts as valid for one of the
    supported regions (DE, AT, CH, GB, US, FR, IT, NL, PL, ES), in national form
    (``030 1234567``, ``0171/1234567``, ``(089) 123 456-78``) or international form
    with ``+`` or ``00`` (``+49 30 12345678``, ``0049 89 1234567``, ``+43 1 234 56 78``,
    ``+41 44 123 45 67``), which covers every country. Fictitious example:
    ``Tel.: 030 1234567``.

    Scores: international prefix 0.7; national trunk prefix ``0`` with separators, or
    a bare mobile number (``01711234567``), 0.6; a North American number as written
    there (``(415) 555-0132``, ``415-555-0132``, ``312.555.0173``, valid area code and
    exchange) 0.5; anything else (bare fixed-line digits ``0301234567``, a bare
    ``2125550123``, a Polish ``123456789``, a Chinese mobile ``13812345678``) 0.4,
    which needs a cue word shortly before it (Tel, Telefon, Mobil, Handy, Rufnummer,
    Fax, phone, mobile, call, "my US number", "meine private Nummer", ...; matched as
    whole words) to pass the 0.5 threshold. Matches that overlap a date, time, amount
    or IBAN, that are glued to letters, or whose nearest preceding label names another
    kind of number (Kundennummer, IBAN, Rechnung, PLZ, order, Ersatzteil, Art.-Nr.,
    SN ...) are dropped.
    """

    CUE_RE = _PHONE_LABEL_RE
    CUE_BEFORE = _LABEL_WINDOW
    CUE_AFTER = 0

    name: str  # set by EntityRecognizer; declared because mypy cannot infer it there
    INTERNATIONAL_SCORE = 0.7
    NATIONAL_SCORE = 0.6
    NANP_SCORE = 0.5
    SCORE = 0.4
    REGIONS = ("DE", "AT", "CH", "GB", "US", "FR", "IT", "NL", "PL", "ES")

    def __init__(
        self,
        supported_language: str = "de",
        supported_entity: str = "PHONE_NUMBER",
        context: list[str] | None = None,
        supported_regions: Sequence[str] = REGIONS,
        leniency: int = 1,
        name: str | None = None,
    ) -> None:
        super().__init__(
            context=context if context else list(_CONTEXT),
            supported_language=supported_language,
            supported_entity=supported_entity,
            supported_regions=supported_regions,
            leniency=leniency,
            name=name,
        )
        # Asks only the regions that could validate a number in a window (a necessary
        # test on phonenumbers' metadata; see phone_regions.py).
        self._region_gate = RegionGate(self.supported_regions)

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
    ) -> list[RecognizerResult]:
        """Find phone numbers, drop look-alikes, and score by prefix."""
        blocked = _Spans([m.span() for m in _NOT_PHONE_RE.finditer(text)])
        leniency = self.leniency if self.leniency is not None else 1
        results: list[RecognizerResult] = []
        for win_start, win_end in _windows(text, blocked):
            window = text[win_start:win_end]
            for region in self._region_gate.regions_for(window):
                for match in phonenumbers.PhoneNumberMatcher(window, region, leniency=leniency):
                    span = (win_start + match.start, win_start + match.end)
                    if _organisation_number(match):
                        continue
                    if self._plausible(text, span, blocked):
                        results.append(self._result(match, span, region))
        for cn in _CN_MOBILE_RE.finditer(text):
            if self._plausible(text, cn.span(), blocked) and _is_cn_mobile(cn.group()):
                results.append(
                    explained_result(self, *cn.span(), self.SCORE, "Recognized as CN mobile number")
                )
        # The same span found for several regions keeps its best score.
        return EntityRecognizer.remove_duplicates(results)

    @staticmethod
    def _plausible(text: str, span: tuple[int, int], blocked: _Spans) -> bool:
        start, end = span
        if blocked.overlaps(start, end):
            return False
        # Part of a longer token such as "ID4711-0301234567" or "0301234567abc".
        if (start > 0 and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
            return False
        before = text[max(0, start - _LABEL_WINDOW) : start]
        other = [m.end() for m in _OTHER_LABEL_RE.finditer(before)]
        phone = [m.end() for m in _PHONE_LABEL_RE.finditer(before)]
        return not other or (bool(phone) and max(phone) > max(other))

    def _result(
        self, match: phonenumbers.PhoneNumberMatch, span: tuple[int, int], region: str
    ) -> RecognizerResult:
        raw = match.raw_string.lstrip("(")
        if raw.startswith(("+", "00")):
            score = self.INTERNATIONAL_SCORE
        elif raw.startswith("0") and (not raw.isdigit() or _is_mobile(match.number)):
            score = self.NATIONAL_SCORE
        elif region == "US" and _NANP_RE.fullmatch(match.raw_string):
            score = self.NANP_SCORE
        else:
            # No prefix, or a bare digit run such as "0123456789": needs a cue word.
            score = self.SCORE
        # Main region of the country code: a cheap lookup, unlike region_code_for_number.
        number_region = phonenumbers.region_code_for_country_code(match.number.country_code or 0)
        if number_region == phonenumbers.UNKNOWN_REGION:
            number_region = region
        return explained_result(
            self,
            span[0],
            span[1],
            score,
            f"Recognized as {number_region} phone number by phonenumbers",
        )


_ORGANISATION_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.SHARED_COST,
        phonenumbers.PhoneNumberType.UAN,
    }
)
_SWITCHBOARD_RE = re.compile(r"[-–][ \t]?0\Z")


def _organisation_number(match: phonenumbers.PhoneNumberMatch) -> bool:
    """A hotline (0800, 0180, 0900 …) or a switchboard ("0421 9988-0") reaches an
    organisation, not a person (docs/evaluation.md, organisation contact data)."""
    if _SWITCHBOARD_RE.search(match.raw_string):
        return True
    if phonenumbers.number_type(match.number) in _ORGANISATION_TYPES:
        return True
    # matched for another region ("0800 123 4567" as a US number): read it as German too
    try:
        german = phonenumbers.parse(match.raw_string, "DE")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(german) in _ORGANISATION_TYPES


def _is_cn_mobile(digits: str) -> bool:
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and _is_mobile(number)


def _is_mobile(number: phonenumbers.PhoneNumber) -> bool:
    kind = phonenumbers.number_type(number)
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


class _Spans:
    """Sorted, disjoint spans (one regex's matches) with containment and overlap tests
    by bisect: a test per candidate against every span was quadratic on long texts."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.starts = [start for start, _ in spans]
        self.ends = [end for _, end in spans]

    def contains(self, start: int, end: int) -> bool:
        """Some span holds all of start..end."""
        i = bisect.bisect_right(self.starts, start) - 1
        return i >= 0 and end <= self.ends[i]

    def overlaps(self, start: int, end: int) -> bool:
        """Some span shares a character with start..end."""
        i = bisect.bisect_right(self.ends, start)
        return i < len(self.starts) and self.starts[i] < end


def _windows(text: str, blocked: _Spans) -> list[tuple[int, int]]:
    """Merged, padded spans around digit runs; the padding keeps the letters next to a
    number visible to phonenumbers' own checks. A run inside a date, amount or IBAN is
    skipped: any number phonenumbers found there would overlap it and be dropped."""
    windows: list[tuple[int, int]] = []
    for match in _CANDIDATE_RE.finditer(text):
        if blocked.contains(match.start(), match.end()):
            continue
        start, end = max(0, match.start() - _PAD), min(len(text), match.end() + _PAD)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows
