"""Which regions' PhoneNumberMatcher can find anything in a window (a necessary test).

phonenumbers' PhoneNumberMatcher costs ~130 µs per window and region, and the phone
recognizer asks ten regions about every digit run that is not a date, amount or IBAN:
a third of the checker's time on dense text (order numbers, article numbers, logs),
where almost no run is a phone number. A region can only report a number whose
national significant number (NSN) is valid for it, and libphonenumber's validity starts
with the region's general pattern and possible lengths (`_number_type_helper` returns
UNKNOWN otherwise). The NSN is built from the digits of a candidate, and a candidate's
digits are consecutive whole digit runs of the window (the matcher cuts candidates at
non-digits; its digit blocks hold up to 20 digits), less an international prefix, the
country code or the national prefix. So this module tries every run of consecutive
digit runs with each of those prefixes removed against the region's general and
number-type patterns: a region none of them fits can not report anything there and is
not asked. A number read as international ("+", or the first region's "00") is read the
same way by every region, so the first region alone is asked for it; a region whose
international prefix differs ("011" in the US) reads such digits its own way and is
asked; a digit run longer than one block leaves every region asked. The test is
conservative by construction: a skipped region would have found nothing the recognizer
keeps, so the results are unchanged (bench/identical_findings.py compares them on every
evaluation corpus; tests/checker/test_phone_regions.py against the matcher).

Hand-written rather than a phonenumbers call because the library has no "could any
number in this text be valid for region R" question; the answer uses its own metadata.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers
from phonenumbers.phonenumberutil import _VALID_PUNCTUATION

_RUN_RE = re.compile(r"\d+")
_PLUS = ("+", "\uff0b")  # phonenumbers' _PLUS_CHARS
# The longest run of digits a candidate can hold without an international prefix:
# national prefix (GB's "180020" is the longest here) + country code + the longest NSN.
_MAX_DIGITS = 6 + 3 + 17
_BLOCK = 20  # phonenumbers' _DIGIT_BLOCK_LIMIT: a longer run may be cut inside
# Between two digit blocks of one candidate: at most 4 of these (phonenumbers'
# _VALID_PUNCTUATION and _PUNCTUATION_LIMIT); anything else starts a new candidate.
_GAP_RE = re.compile(f"[{_VALID_PUNCTUATION}]{{0,4}}")
_DIGITS_ONLY = re.compile(r"\d+\Z")
# The number types libphonenumber's is_valid_number accepts (_number_type_helper): a
# valid number matches the general pattern and one of these.
_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)
_SIMPLE_PREFIX = re.compile(r"\d+(?:\|\d+)*\Z")


@dataclass(frozen=True)
class _Region:
    name: str
    idd: str  # the international prefix ("00"; "011" in the US)
    country_code: str
    national_prefixes: tuple[str, ...]
    lengths: frozenset[int]  # empty: no length test (as libphonenumber)
    pattern: re.Pattern[str]  # the general patterns of every region of the country code
    types: re.Pattern[str]  # the patterns of every number type of those regions

    def can_be_valid(self, digits: str) -> bool:
        for nsn in self._nsns(digits):
            if (
                (not self.lengths or len(nsn) in self.lengths)
                and self.pattern.fullmatch(nsn)
                and self.types.fullmatch(nsn)
            ):
                return True
        return False

    def _nsns(self, digits: str) -> set[str]:
        variants = {digits}
        if digits.startswith(self.country_code):
            variants.add(digits[len(self.country_code) :])
        for variant in list(variants):
            for prefix in self.national_prefixes:
                if variant.startswith(prefix):
                    variants.add(variant[len(prefix) :])
        return variants


def _region(name: str) -> _Region | None:
    """The test data for `name`, or None when it can not be built (then the region is
    always asked)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(name)
    if metadata is None or metadata.country_code is None:
        return None
    idd = metadata.international_prefix or ""
    if not _DIGITS_ONLY.match(idd):
        return None  # an international prefix pattern this test does not model
    prefix = metadata.national_prefix_for_parsing or ""
    if metadata.national_prefix_transform_rule or (prefix and not _SIMPLE_PREFIX.match(prefix)):
        return None  # a prefix rule this test does not model
    lengths: set[int] = set()
    patterns: list[str] = []
    types: list[str] = []
    any_without_lengths = False
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(metadata.country_code, ()):
        desc = phonenumbers.PhoneMetadata.metadata_for_region(region)
        general = None if desc is None else desc.general_desc
        if general is None or not general.national_number_pattern:
            return None
        any_without_lengths |= not general.possible_length
        lengths.update(general.possible_length or ())
        patterns.append(general.national_number_pattern)
        for kind in _TYPES:
            number_desc = getattr(desc, kind)
            if number_desc is not None and number_desc.national_number_pattern:
                types.append(number_desc.national_number_pattern)
    if not patterns or not types:
        return None
    return _Region(
        name=name,
        idd=idd,
        country_code=str(metadata.country_code),
        national_prefixes=tuple(p for p in prefix.split("|") if p),
        lengths=frozenset() if any_without_lengths else frozenset(lengths),
        pattern=re.compile("|".join(f"(?:{p})" for p in patterns)),
        types=re.compile("|".join(f"(?:{p})" for p in types)),
    )


class RegionGate:
    """For a window of text, the regions (of `regions`, in their order) whose matcher
    could find a number in it."""

    def __init__(self, regions: Sequence[str]) -> None:
        self.regions = tuple(regions)
        self._tests = [(name, _region(name)) for name in self.regions]

    def regions_for(self, window: str) -> tuple[str, ...]:
        candidates: set[str] = set()
        for chain in _chains(window):
            if any(len(run) > _BLOCK for run in chain):
                return self.regions  # the matcher may cut inside such a run
            for i in range(len(chain)):
                digits = ""
                for run in chain[i:]:
                    digits += run
                    if len(digits) > _MAX_DIGITS:
                        break
                    candidates.add(digits)
        # A number with "+" (or the first region's international prefix) is read the
        # same way by every region: the country code comes from the number, and the
        # matcher's checks for it do not use the region (country_code_source is not
        # FROM_DEFAULT_COUNTRY). The recognizer keeps the first region's result of equal
        # spans and scores, so the first region alone finds it.
        international = any(plus in window for plus in _PLUS)
        first = self._tests[0][1] if self._tests else None
        needed: set[str] = set()
        for name, test in self._tests:
            if test is None:
                needed.add(name)
                continue
            if any(digits.startswith(test.idd) for digits in candidates):
                if first is not None and test.idd == first.idd:
                    international = True
                else:
                    needed.add(name)  # read as international here, nationally elsewhere
            if name not in needed and any(test.can_be_valid(d) for d in candidates):
                needed.add(name)
        if international and self.regions:
            needed.add(self.regions[0])
        return tuple(name for name in self.regions if name in needed)


def _chains(window: str) -> list[list[str]]:
    """The window's digit runs, grouped as the matcher can join them into one candidate:
    runs separated by at most four characters of phonenumbers' punctuation."""
    chains: list[list[str]] = []
    end = -1
    for match in _RUN_RE.finditer(window):
        gap = window[end : match.start()] if end >= 0 else None
        run = _ascii(match.group())
        if gap is not None and _GAP_RE.fullmatch(gap):
            chains[-1].append(run)
        else:
            chains.append([run])
        end = match.end()
    return chains


def _ascii(run: str) -> str:
    """Digits as phonenumbers normalises them (any Unicode decimal digit)."""
    return run if run.isascii() else "".join(str(unicodedata.digit(c)) for c in run)
