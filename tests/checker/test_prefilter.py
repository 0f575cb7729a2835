"""The prefilter: windows around trigger hits, and scans that equal full scans."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from presidio_analyzer import EntityRecognizer, RecognizerResult

from bench.corpus import PROSE, corpus
from checker.config import ClassRules, PatternSpec, ScanConfig
from checker.engine import build_analyzer, build_prefilter
from checker.evaluation.corpus import generate
from checker.evaluation.freeform import load as load_freeform
from checker.evaluation.handwritten import handwritten
from checker.findings import Finding
from checker.precheck import light_prefilter
from checker.prefilter import MARGIN
from checker.scan import WINDOW, Scanner, _segments
from checker.triggers import TRIGGERS
from policy.loader import load_policy

IBAN = "DE89 3704 0044 0532 0130 00"  # the standard example IBAN


@pytest.fixture(scope="module")
def scanners() -> tuple[Scanner, Scanner]:
    config = ScanConfig.from_policy(load_policy().policy)
    analyzer = build_analyzer(config)
    return Scanner(config, analyzer), Scanner(replace(config, prefilter=False), analyzer)


def _key(findings: list[Finding]) -> list[tuple[str, int, int, float]]:
    return sorted((f.entity_type, f.start, f.end, round(f.score, 4)) for f in findings)


def test_every_recognizer_of_the_default_engine_has_triggers(
    scanners: tuple[Scanner, Scanner],
) -> None:
    fast, _ = scanners
    assert fast.prefilter is not None
    names = {type(r).__name__ for r in fast.analyzer.registry.recognizers}
    assert names <= set(TRIGGERS)


def test_a_recognizer_without_triggers_switches_the_prefilter_off() -> None:
    class Unknown(EntityRecognizer):
        def load(self) -> None:
            pass

        def analyze(self, text, entities, nlp_artifacts=None):  # type: ignore[no-untyped-def]
            return []

    unknown = Unknown(supported_entities=["PERSON"])
    assert build_prefilter([unknown]) is None


def test_clean_prose_has_no_window(scanners: tuple[Scanner, Scanner]) -> None:
    fast, _ = scanners
    assert fast.prefilter is not None
    text = "\n\n".join(PROSE * 3)
    assert fast.prefilter.windows(text) == []
    assert fast.scan_text(text) == []


def test_one_iban_in_long_prose_is_one_small_window(scanners: tuple[Scanner, Scanner]) -> None:
    fast, full = scanners
    assert fast.prefilter is not None
    prose = " ".join(PROSE)
    text = f"{prose}\n\nBitte überweisen Sie auf {IBAN}.\n\n{prose}"
    windows = fast.prefilter.windows(text)
    assert len(windows) == 1
    start, end = windows[0]
    assert start <= text.index(IBAN) and text.index(IBAN) + len(IBAN) <= end
    assert end - start < 2 * MARGIN + 400  # the IBAN's paragraph and a margin, not the text
    found = fast.scan_text(text)
    assert [(f.entity_type, f.value) for f in found] == [("IBAN_CODE", IBAN)]
    assert _key(found) == _key(full.scan_text(text))


@pytest.mark.parametrize(
    ("text", "windows"),
    [
        ("Der Kunde beschwert sich über die Kundenmail.", False),  # "Kunde" without a colon
        ("Kunde: Weber Maschinenbau", True),
        ("Bitte schreib eine Mail an das Team.", True),  # "Mail an": a phrase that names
        ("Passt das so?", False),  # "pass" is no password label here
        ("Passwort: Blumenkohl#42", True),
        ("Wir liefern nach Asien und Asia.", False),  # "asia" without a key after it
        ("Sie hat eine Nussallergie.", True),  # a clinical compound's ending
        ("Die Kooperation läuft.", False),
    ],
)
def test_cue_words_need_their_condition(
    scanners: tuple[Scanner, Scanner], text: str, windows: bool
) -> None:
    fast, _ = scanners
    assert fast.prefilter is not None
    assert bool(fast.prefilter.windows(text)) is windows


def test_a_window_touching_a_table_takes_the_whole_table(scanners: tuple[Scanner, Scanner]) -> None:
    fast, full = scanners
    assert fast.prefilter is not None
    rows = "\n".join(f"{i};Produkt {i};Lager Nord" for i in range(1, 60))
    prose = " ".join(PROSE)
    text = f"{prose}\n\nNr;Vorname;Ort\n{rows}\n7;Anna;Lager Süd\n\n{prose}"
    table_start = text.index("Nr;Vorname")
    table_end = text.index("Lager Süd") + len("Lager Süd")
    windows = fast.prefilter.windows(text)
    assert any(s <= table_start and table_end <= e for s, e in windows)
    assert _key(fast.scan_text(text)) == _key(full.scan_text(text))


def test_mostly_covered_texts_are_scanned_whole(scanners: tuple[Scanner, Scanner]) -> None:
    fast, _ = scanners
    assert fast.prefilter is not None
    text = f"Konto {IBAN}, Telefon 030 1234567, Mail anna.weber@example.de"
    assert fast.prefilter.windows(text) == [(0, len(text))]


def test_a_lower_case_that_changes_length_scans_everything(
    scanners: tuple[Scanner, Scanner],
) -> None:
    fast, _ = scanners
    assert fast.prefilter is not None
    text = "İstanbul " + " ".join(PROSE)  # "İ".lower() is two characters
    assert fast.prefilter.windows(text) == [(0, len(text))]


def test_policy_terms_and_patterns_are_their_own_triggers() -> None:
    config = ScanConfig(
        classes={
            "projects": ClassRules(
                entities=(),
                terms=("Projekt Nordlicht",),
                patterns=(PatternSpec(r"KD-\d{6}", None, 0.8),),
                min_score=0.5,
            )
        }
    )
    scanner = Scanner(config)
    assert scanner.prefilter is not None
    prose = " ".join(PROSE)
    assert scanner.prefilter.windows(prose) == []
    text = f"{prose} Zum projekt nordlicht gehört Kunde KD-123456. {prose}"
    found = scanner.scan_text(text)
    assert sorted(f.value for f in found) == ["KD-123456", "projekt nordlicht"]


def test_a_policy_regex_that_backtracks_for_ever_makes_the_whole_text_a_window() -> None:
    """The gateway runs the pre-check in a thread it cannot kill: a policy regex that
    would take hours gives up after UNTRUSTED_TIMEOUT_S, and the text goes to a worker
    (which the pool kills at the scan timeout) instead of hanging every later prompt."""
    config = ScanConfig(
        classes={
            "codes": ClassRules(
                entities=(),
                terms=(),
                patterns=(PatternSpec(r"(a|aa)+$", None, 0.8),),  # exponential on "aaa…b"
                min_score=0.5,
            )
        }
    )
    prefilter = light_prefilter(config)
    assert prefilter is not None
    text = "a" * 60 + "b"
    assert prefilter.windows(text) == [(0, len(text))]
    assert prefilter.windows("nichts davon") == []


def test_segments_join_windows_and_map_offsets_back() -> None:
    text = "a" * 50 + "\nAnfang X Ende\n" + "b" * 50 + " Mitte Y" + " c" * 40
    first = (51, 64)  # "Anfang X Ende", a whole line
    second = (116, 123)  # "Mitte Y", mid-line
    (segment,) = _segments(text, [first, second])
    assert segment.text.count("…") == 4  # before and after each window
    for original in (text.index("X"), text.index("Y")):
        at = segment.text.index(text[original])
        result = RecognizerResult("X", at, at + 1, 1.0)
        assert segment.to_original(result)
        assert (result.start, result.end) == (original, original + 1)
    across = RecognizerResult("X", segment.text.index("Ende"), segment.text.index("Mitte"), 1.0)
    assert not segment.to_original(across)


def test_segments_stay_below_the_analysis_window() -> None:
    text = ("x" * 990 + "\n") * 400
    spans = [(i * 1900, i * 1900 + 900) for i in range(200)]
    segments = _segments(text, spans)
    assert len(segments) > 1
    assert all(len(s.text) <= WINDOW for s in segments)


def test_windowed_scans_equal_full_scans_on_the_evaluation_corpus(
    scanners: tuple[Scanner, Scanner],
) -> None:
    """Every labelled text of `leitplanke eval`, and documents that mix them with
    prose: the prefilter finds exactly what a scan of every character finds."""
    fast, full = scanners
    samples = [s.text for s in generate()[::2]] + [s.text for s in handwritten()]
    samples += [s.text for s in load_freeform()[::2]]
    documents = corpus({"2KB": 25, "20KB": 2}, seed=5)
    texts = samples + documents["2KB"] + documents["20KB"]
    rng = random.Random(1)
    texts += ["\n\n".join(rng.sample(samples, 3) + list(PROSE[:4])) for _ in range(20)]
    differences = []
    for text in texts:
        expected, got = _key(full.scan_text(text)), _key(fast.scan_text(text))
        if expected != got:
            differences.append((text[:60], expected, got))
    assert differences == []
