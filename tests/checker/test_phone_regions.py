"""The phone recognizer's region gate: it may only skip regions that find nothing."""

from __future__ import annotations

import phonenumbers
import pytest

from checker.recognizers.phone_number_recognizer import PhoneNumberRecognizer
from checker.recognizers.phone_regions import RegionGate

REGIONS = PhoneNumberRecognizer.REGIONS

# Fictitious numbers in every region's usual shapes, look-alikes and mixed windows.
WINDOWS = [
    "Tel.: 030 1234567",
    "Handy 0171/1234567, Fax (089) 123 456-78",
    "Ruf an: +49 30 12345678 oder 0049 89 1234567",
    "+43 1 234 56 78 / +41 44 123 45 67",
    "call (415) 555-0132 or 415.555.0173, intl 011 44 20 7946 0958",
    "020 7946 0958 London, 01632 960123",
    "01 23 45 67 89 Paris, 06 12 34 56 78",
    "06 1234 5678 Roma, 347 123 4567",
    "020-123 4567 Amsterdam, 06-12345678",
    "Warszawa 22 123 45 67, 512 345 678",
    "Madrid 912 345 678, 612 345 678",
    "Best.-Nr. 4711-2023-0815, Art.-Nr. 12-345-67",
    "Version 10.0.19399.3035, build 2024.11.30",
    "Kundennummer 123456789012, Menge 12",
    "Durchwahl 0421 9988-0, Hotline 0800 123 4567",
    "Tel. 030 1234567 x 12",
    "\uff10\uff13\uff10 \uff11\uff12\uff13\uff14\uff15\uff16\uff17",  # full-width digits
    "Nr. 123456789012345678901234567",  # longer than one digit block
]


@pytest.mark.parametrize("window", WINDOWS)
def test_no_region_that_finds_a_number_is_skipped(window: str) -> None:
    asked = set(RegionGate(REGIONS).regions_for(window))
    first = {(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(window, REGIONS[0])}
    for region in REGIONS:
        found = {(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(window, region)}
        # A skipped region finds nothing, or only what the first region (asked) finds too.
        assert region in asked or found <= first, (region, window)


@pytest.mark.parametrize(
    "window",
    ["Best.-Nr. 4711-2023-0815 ", "Version 10.0.19399.3035", "Menge 12, Lager 3"],
)
def test_digit_runs_no_region_accepts_ask_few_regions(window: str) -> None:
    assert len(RegionGate(REGIONS).regions_for(window)) < len(REGIONS)


def test_regions_keep_their_order() -> None:
    asked = RegionGate(REGIONS).regions_for("Tel. 030 1234567, +49 30 12345678")
    assert list(asked) == [r for r in REGIONS if r in asked]
