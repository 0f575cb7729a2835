"""`leitplanke eval`: metrics by hand, corpus invariants, and one full run through the CLI."""

from __future__ import annotations

import ipaddress
import itertools
import json
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import phonenumbers
import pytest
from click.testing import CliRunner
from stdnum import iban, luhn
from stdnum.de import idnr, vat

from checker.evaluation import values as v
from checker.evaluation.corpus import generate
from checker.evaluation.metrics import Counts, Pred, f_beta, is_match, match, per_10k_words
from checker.evaluation.run import EngineResult, evaluate
from checker.evaluation.samples import CLEAN, ENTITY_TYPES, Sample
from cli.main import cli

# --- metrics -------------------------------------------------------------------------


def test_precision_recall_f2_by_hand() -> None:
    c = Counts(tp=3, fp=1, fn=2)
    assert c.support == 5
    assert c.precision == pytest.approx(0.75)
    assert c.recall == pytest.approx(0.6)
    # F2 = 5PR / (4P + R) = 5 * 0.75 * 0.6 / (3.0 + 0.6) = 2.25 / 3.6
    assert c.f2 == pytest.approx(0.625)
    # Recall weighs more: P=1.0, R=0.5 gives 2.5 / 4.5; P=0.5, R=1.0 gives 2.5 / 3.0.
    assert f_beta(1.0, 0.5) == pytest.approx(5 / 9)
    assert f_beta(0.5, 1.0) == pytest.approx(5 / 6)


def test_undefined_values() -> None:
    nothing_found = Counts(fn=4)
    assert nothing_found.precision is None
    assert nothing_found.recall == 0.0
    assert nothing_found.f2 == 0.0
    no_gold = Counts(fp=2)
    assert no_gold.recall is None
    assert no_gold.f2 is None


def test_overlap_rule_is_half_of_the_gold_span() -> None:
    gold = Pred("IBAN_CODE", 0, 10)
    assert is_match(gold, Pred("IBAN_CODE", 5, 10))  # 5 of 10 characters
    assert not is_match(gold, Pred("IBAN_CODE", 6, 10))  # 4 of 10
    assert is_match(gold, Pred("IBAN_CODE", 0, 40))  # longer prediction covers it
    assert not is_match(gold, Pred("PHONE_NUMBER", 0, 10))  # another type
    assert not is_match(gold, Pred("IBAN_CODE", 10, 20))  # adjacent, no overlap


def test_too_small_overlap_is_a_miss_and_a_false_alarm() -> None:
    counts = match([Pred("HEALTH_DATA", 0, 23)], [Pred("HEALTH_DATA", 0, 8)])
    assert (counts["HEALTH_DATA"].tp, counts["HEALTH_DATA"].fp, counts["HEALTH_DATA"].fn) == (
        0,
        1,
        1,
    )


def test_each_gold_span_is_matched_once() -> None:
    gold = [Pred("PERSON", 0, 10)]
    # A duplicate on the same gold span is no second hit (and no false alarm).
    counts = match(gold, [Pred("PERSON", 0, 10), Pred("PERSON", 0, 10)])
    assert (counts["PERSON"].tp, counts["PERSON"].fp, counts["PERSON"].fn) == (1, 0, 0)
    # One prediction over two gold spans matches only one of them.
    counts = match([Pred("PERSON", 0, 4), Pred("PERSON", 5, 9)], [Pred("PERSON", 0, 9)])
    assert (counts["PERSON"].tp, counts["PERSON"].fp, counts["PERSON"].fn) == (1, 0, 1)
    # The larger overlap wins the gold span; the other prediction elsewhere is an FP.
    counts = match(
        [Pred("EMAIL_ADDRESS", 0, 10)],
        [Pred("EMAIL_ADDRESS", 0, 10), Pred("EMAIL_ADDRESS", 20, 30)],
    )
    assert (counts["EMAIL_ADDRESS"].tp, counts["EMAIL_ADDRESS"].fp) == (1, 1)


def test_per_10k_words() -> None:
    assert per_10k_words(3, 1500) == pytest.approx(20.0)
    assert per_10k_words(0, 0) == 0.0


# --- corpus ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> list[Sample]:
    return generate(7)


def test_sizes_and_languages(corpus: list[Sample]) -> None:
    pii = [s for s in corpus if s.kind != CLEAN]
    clean = [s for s in corpus if s.kind == CLEAN]
    assert len(pii) >= 300
    assert len(clean) >= 150
    assert all(s.spans for s in pii)
    assert not any(s.spans for s in clean)
    assert sum(s.lang == "de" for s in pii) / len(pii) >= 0.70
    assert sum(s.lang == "de" for s in corpus) / len(corpus) >= 0.70
    kinds = {s.kind for s in pii}
    assert kinds == {
        "support_email",
        "hr_note",
        "invoice",
        "crm_csv",
        "code",
        "medical",
        "chat_prompt",
    }


def test_every_entity_type_appears_at_least_ten_times(corpus: list[Sample]) -> None:
    counts = Counter(sp.entity_type for s in corpus for sp in s.spans)
    assert {e: counts[e] for e in ENTITY_TYPES if counts[e] < 10} == {}
    assert set(counts) == set(ENTITY_TYPES)


def test_spans_are_exact_and_disjoint(corpus: list[Sample]) -> None:
    for s in corpus:
        spans = sorted(s.spans, key=lambda sp: sp.start)
        for sp in spans:
            value = s.text[sp.start : sp.end]
            assert 0 <= sp.start < sp.end <= len(s.text)
            assert value == value.strip()
        for a, b in itertools.pairwise(spans):
            assert a.end <= b.start, (s.text, a, b)


_NAME_WORDS = set(v.FIRST_NAMES) | set(v.LAST_NAMES)
_CHECKS = {
    "PERSON": lambda t: (
        t in _NAME_WORDS
        or any(t == f"{first} {last}" for first in v.FIRST_NAMES for last in v.LAST_NAMES)
    ),
    "EMAIL_ADDRESS": lambda t: re.fullmatch(r"[a-z0-9.]+@[a-z0-9.-]+\.[a-z]{2,}", t),
    "PHONE_NUMBER": lambda t: phonenumbers.is_valid_number(phonenumbers.parse(t, "DE")),
    "IBAN_CODE": iban.is_valid,
    "CREDIT_CARD": lambda t: (
        (d := re.sub(r"[ -]", "", t)).isdigit() and len(d) in (15, 16) and luhn.is_valid(d)
    ),
    "IP_ADDRESS": ipaddress.ip_address,
    "STREET_ADDRESS": lambda t: re.fullmatch(r"[\w .-]+ \d+[ab]?, \d{4,5} [\w ]+", t),
    "DATE_OF_BIRTH": lambda t: re.fullmatch(
        r"\d{1,2}\.\d{1,2}\.(19|20)\d\d|(19|20)\d\d-\d\d-\d\d|\d\d/\d\d/(19|20)\d\d", t
    ),
    "DE_TAX_ID": idnr.is_valid,
    "DE_SOCIAL_SECURITY": lambda t: (c := t.replace(" ", ""))[-1] == v.rvnr_check_digit(c),
    "DE_ID_CARD": lambda t: len(t) == 10 and t[-1] == v.icao_check_digit(t[:9]),
    "DE_PASSPORT": lambda t: len(t) == 9 or t[-1] == v.icao_check_digit(t[:9]),
    "DE_HEALTH_INSURANCE": lambda t: (
        re.fullmatch(r"[A-Z]\d{9}", t) and t[-1] == v.kvnr_check_digit(t)
    ),
    "DE_VAT_ID": vat.is_valid,
    "DE_KFZ": lambda t: re.fullmatch(r"[A-ZÄÖÜ]{1,3}[- ][A-Z]{1,2} \d{1,4}E?", t),
    "HEALTH_DATA": lambda t: t in v.HEALTH_TERMS_DE + v.HEALTH_TERMS_EN + v.SICK_DE + v.SICK_EN,
    "SECRET": lambda t: len(t) >= 12 and " " not in t,
}


def test_every_span_is_a_well_formed_value(corpus: list[Sample]) -> None:
    """Checksums hold on the span's exact text, so the offsets point at the value."""
    bad = [
        (sp.entity_type, s.text[sp.start : sp.end])
        for s in corpus
        for sp in s.spans
        if not _CHECKS[sp.entity_type](s.text[sp.start : sp.end])
    ]
    assert bad == []


def test_check_digits_against_published_examples() -> None:
    assert v.icao_check_digit("T22000129") == "3"  # the specimen Personalausweis
    assert v.kvnr_check_digit("A12345678") == "0"
    # 6 5 1 7 0 8 3 9 | J=10 | 0 0, weights 2121 2 5 7 1 2 1 2 1 2 1 → digit sums 43 → 3
    assert v.rvnr_check_digit("65170839J00") == "3"
    assert iban.is_valid(v.iban_de(random.Random(1)))


def test_deterministic_and_fast() -> None:
    start = time.perf_counter()
    first = generate(7)
    assert time.perf_counter() - start < 2.0
    assert generate(7) == first
    assert generate(8) != first


def test_no_complete_key_shapes_in_the_sources() -> None:
    root = Path(__file__).parents[2] / "checker" / "evaluation"
    shapes = re.compile(r"sk-(?:proj|ant)-[A-Za-z0-9_-]{20,}|AKIA[A-Z0-9]{16}|ghp_[A-Za-z0-9]{36}")
    for path in root.glob("*.py"):
        assert not shapes.search(path.read_text("utf-8")), path


# --- evaluation ------------------------------------------------------------------------


def test_a_perfect_engine_scores_one(corpus: list[Sample]) -> None:
    by_text = {s.text: s for s in corpus}

    def perfect() -> tuple[Callable[[str], list[Pred]], list[str]]:
        def predict(text: str) -> list[Pred]:
            return [Pred(sp.entity_type, sp.start, sp.end) for sp in by_text[text].spans]

        return predict, list(ENTITY_TYPES)

    result = evaluate(samples=corpus, engines=[("perfect", perfect)])
    engine: EngineResult = result.leitplanke
    assert engine.micro.precision == engine.micro.recall == engine.micro.f2 == 1.0
    assert engine.fp_per_10k_clean_words == 0.0
    assert engine.missed_targets() == []


def test_cli_eval_json(tmp_path: Path) -> None:
    out = tmp_path / "table.md"
    result = CliRunner().invoke(cli, ["eval", "--json", "--output", str(out), "--targets"])
    data = json.loads(result.stdout)
    missed = data["targets"]["missed"]
    assert result.exit_code == (1 if missed else 0), result.output
    assert set(data["engines"]) == {"leitplanke", "presidio_default"}
    for engine in data["engines"].values():
        assert set(engine["per_entity"]) == set(ENTITY_TYPES)
        for counts in engine["per_entity"].values():
            assert {"support", "precision", "recall", "f2"} <= set(counts)
        assert "fp_per_10k_words" in engine["clean"]
    lp = data["engines"]["leitplanke"]["per_entity"]
    assert lp["IBAN_CODE"]["recall"] == 1.0  # a built-in recognizer with a checksum
    assert data["corpus"]["clean"] >= 150
    table = out.read_text("utf-8")
    assert "| IBAN_CODE |" in table
    assert "FP per 10k clean words" in table
    # The generalization report follows the generated corpus' table.
    gen = data["generalization"]
    assert set(gen["corpora"]) == {"tune", "held_out", "freeform"}
    for part in gen["corpora"].values():
        assert set(part["per_entity"]) == set(ENTITY_TYPES)
        for verdicts in part["verdicts"].values():
            assert {"labelled_flagged_share", "clean_flagged_share"} <= set(verdicts)
            assert "fp_per_10k_clean_words" in verdicts
    assert set(gen["targets"]["missed"]) <= set(missed)
    assert "| texts with personal data flagged (de / en) |" in table
    assert "| clean texts flagged (de / en) |" in table
    # The peer suite (issue 21): its targets are part of --targets and are met.
    peers = data["peers"]
    assert set(peers["sources"]) == {"presidio", "stdnum"}
    assert peers["targets"]["missed"] == []
    for totals in peers["totals"].values():
        assert totals["found"] >= 0.95 * totals["positives"] > 0
        assert totals["clean"] >= 0.99 * totals["negatives"] > 0
    assert "| presidio | DE_TAX_NUMBER |" in table and "Debatable (not counted)" in table


def test_cli_eval_freeform_corpus() -> None:
    from checker.evaluation.freeform import load

    result = CliRunner().invoke(cli, ["eval", "--json", "--corpus", "freeform"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["corpus"]["texts"] == len(load())
    assert "generalization" not in data  # the report belongs to the generated corpus


def test_handwritten_texts_parse_with_exact_spans() -> None:
    from checker.evaluation.handwritten import handwritten, parse

    (sample,) = parse("=== chat_prompt de\nAn [[PERSON|Anna Weber]] ([[EMAIL_ADDRESS|a@b.de]])\n")
    assert sample.text == "An Anna Weber (a@b.de)"
    assert [(s.entity_type, sample.text[s.start : s.end]) for s in sample.spans] == [
        ("PERSON", "Anna Weber"),
        ("EMAIL_ADDRESS", "a@b.de"),
    ]
    samples = handwritten()
    assert len(samples) >= 35 and sum(1 for s in samples if s.kind == "clean") >= 10
    assert all("[[" not in s.text for s in samples)
