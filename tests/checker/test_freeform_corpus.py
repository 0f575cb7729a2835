"""The free-form prompt corpus (markup, offsets, review checks), the family split of the
generated corpus, and the generalization report of `leitplanke eval`."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable
from importlib import resources

import phonenumbers
import pytest

from checker.evaluation.corpus import CLEAN_TEMPLATES, PII_TEMPLATES, generate
from checker.evaluation.freeform import (
    SPLICE,
    FreeformError,
    FreeformSample,
    corpus_files,
    load,
    parse,
)
from checker.evaluation.freeform_values import TEST_CARDS, TEST_IBANS, VALIDATORS, pool
from checker.evaluation.generalization import (
    FREEFORM,
    TARGETS,
    Generalization,
    check,
    generalization,
    score,
)
from checker.evaluation.metrics import Pred
from checker.evaluation.run import Predict, evaluate
from checker.evaluation.samples import CLEAN, ENTITY_TYPES, Sample, Span
from checker.evaluation.split import HELD_OUT, HELD_OUT_FAMILIES, TUNE, split_of

# --- markup ------------------------------------------------------------------------------


def values(sample: Sample) -> list[tuple[str, str]]:
    return [(s.entity_type, sample.text[s.start : s.end]) for s in sample.spans]


def test_markup_becomes_plain_text_with_exact_offsets() -> None:
    (sample,) = parse(
        "# a comment\n=== de\n\n"
        "Hallo [[PERSON|Jan Kowalski]], ruf [[PHONE_NUMBER|0171 4938221]] an.\n\n",
        "chat.txt",
    )
    assert sample.text == "Hallo Jan Kowalski, ruf 0171 4938221 an."
    assert values(sample) == [("PERSON", "Jan Kowalski"), ("PHONE_NUMBER", "0171 4938221")]
    assert (sample.kind, sample.lang, sample.genre) == ("chat", "de", "chat")
    assert sample.origin == "chat.txt:2"
    assert isinstance(sample, FreeformSample)


def test_values_may_span_lines_and_splice_marks_vanish() -> None:
    text = (
        "=== en\nShip to [[STREET_ADDRESS|1 Elm St\nSpringfield]] and use "
        "[[SECRET|gh{~}p_abc]]; literal [[ -f x ]] stays.\n"
    )
    (sample,) = parse(text, "x.txt")
    assert values(sample) == [
        ("STREET_ADDRESS", "1 Elm St\nSpringfield"),
        ("SECRET", "ghp_abc"),
    ]
    assert "[[ -f x ]]" in sample.text
    assert SPLICE not in sample.text


def test_clean_texts_and_tags() -> None:
    first, second = parse(
        "=== de clean brands\nPudding von Dr. Oetker.\n=== en\nHi [[PERSON|Tom]]\n", "e.txt"
    )
    assert (first.kind, first.tags, first.spans) == (CLEAN, ("brands",), ())
    assert (first.genre, second.kind, second.origin) == ("e", "e", "e.txt:3")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Hallo\n=== de\n[[PERSON|A]]", "text before the first"),
        ("=== fr\n[[PERSON|A]]", "header must be"),
        ("=== de clean unknown-tag\nx", "unknown tag"),
        ("=== de\n\n\n", "empty text"),
        ("=== de\nHallo [[PERSN|Jan]]", "unknown entity type 'PERSN'"),
        ("=== de\nHallo [[PERSON| Jan]]", "empty or padded"),
        ("=== de\nHallo [[PERSON|]]", "empty or padded"),
        ("=== de\nHallo [[PERSON|[[PERSON|Jan]]", "nested or unclosed"),
        ("=== de\nHallo [[PERSON:Jan]] und [[PERSON|Eva]]", "unparsed label"),
        ("=== de\nHallo [[PERSON|Jan", "unparsed label"),
        ("=== de clean\nHallo [[PERSON|Jan]]", "a clean text has labels"),
        ("=== de\nHallo Jan", "no labels"),
    ],
)
def test_malformed_texts_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(FreeformError, match=re.escape(message)) as err:
        parse(text, "bad.txt")
    assert str(err.value).startswith("bad.txt:")


# --- the corpus ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> list[FreeformSample]:
    return load()


def test_every_file_loads_and_sizes(corpus: list[FreeformSample]) -> None:
    assert len(corpus_files()) >= 8
    assert {s.genre for s in corpus} == {f.removesuffix(".txt") for f in corpus_files()}
    labelled = [s for s in corpus if s.kind != CLEAN]
    clean = [s for s in corpus if s.kind == CLEAN]
    assert len(labelled) >= 230 and len(clean) >= 120
    for part in (labelled, clean, corpus):
        german = sum(s.lang == "de" for s in part) / len(part)
        assert 0.70 <= german <= 0.80, german
    # Every genre has clean texts too, so a genre's look alone never gives the answer.
    assert {s.genre for s in clean} == {s.genre for s in labelled}


def test_every_entity_type_with_realistic_counts(corpus: list[FreeformSample]) -> None:
    counts = Counter(sp.entity_type for s in corpus for sp in s.spans)
    assert {e: counts[e] for e in ENTITY_TYPES if counts[e] < 10} == {}
    assert set(counts) <= set(ENTITY_TYPES)
    top4 = {e for e, _ in counts.most_common(4)}
    assert top4 == {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "HEALTH_DATA"}


def test_spans_are_exact_stripped_and_disjoint(corpus: list[FreeformSample]) -> None:
    for s in corpus:
        assert not re.search(r"\[\[[A-Z_]+\|", s.text), s.origin
        assert SPLICE not in s.text
        for sp in s.spans:
            value = s.text[sp.start : sp.end]
            assert 0 <= sp.start < sp.end <= len(s.text)
            assert value == value.strip(), (s.origin, value)
            assert value[-1] not in ",;:", (s.origin, value)
        for a, b in itertools.pairwise(sorted(s.spans, key=lambda sp: sp.start)):
            assert a.end <= b.start, (s.origin, a, b)


def test_checksums_and_reserved_values(corpus: list[FreeformSample]) -> None:
    """Check digits hold and addresses are reserved ranges (typos while copying show)."""
    bad = [
        (s.origin, sp.entity_type, s.text[sp.start : sp.end])
        for s in corpus
        for sp in s.spans
        if sp.entity_type in VALIDATORS
        and not VALIDATORS[sp.entity_type](s.text[sp.start : sp.end])
    ]
    assert bad == []


def _possible_phone(value: str) -> bool:
    for region in ("DE", "US", "GB"):
        try:
            if phonenumbers.is_possible_number(phonenumbers.parse(value, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def test_phone_numbers_are_possible_numbers(corpus: list[FreeformSample]) -> None:
    phones = [
        s.text[sp.start : sp.end]
        for s in corpus
        for sp in s.spans
        if sp.entity_type == "PHONE_NUMBER"
    ]
    assert phones and [p for p in phones if not _possible_phone(p)] == []


_TITLE = re.compile(r"(Herrn?|Frau|Hr\.|Fr\.|Dr\.|Prof\.|Dipl\.|Mrs?\.?|Ms\.?)\s", re.IGNORECASE)
# Firm names that contain a labelled person's surname: not a person (conventions).
FIRMS = (
    "Elektro Stolz",
    "Bäckerei Haferkamp",
    "Wiśniewska Design",
    "Whitmore & Partners",
    "Hofmann Elektrotechnik",
    "Hartmann Metalltechnik",
)


def test_names_are_labelled_without_titles_and_everywhere(corpus: list[FreeformSample]) -> None:
    """Titles stay outside PERSON spans; a labelled name is labelled at every mention."""
    titled = [
        (s.origin, s.text[sp.start : sp.end])
        for s in corpus
        for sp in s.spans
        if sp.entity_type == "PERSON" and _TITLE.match(s.text[sp.start : sp.end])
    ]
    assert titled == []
    unlabelled = []
    for s in corpus:
        covered = [(sp.start, sp.end) for sp in s.spans]
        firms = [(m.start(), m.end()) for f in FIRMS for m in re.finditer(re.escape(f), s.text)]
        for sp in s.spans:
            if sp.entity_type != "PERSON":
                continue
            for token in re.findall(r"[\w'-]{3,}", s.text[sp.start : sp.end]):
                pattern = r"(?<![\w@.])" + re.escape(token) + r"(?![\w@])"
                for m in re.finditer(pattern, s.text):
                    inside = any(a <= m.start() and m.end() <= b for a, b in covered + firms)
                    if not inside:
                        unlabelled.append((s.origin, token))
    assert unlabelled == []


_KEY_SHAPES = re.compile(
    r"sk-(?:proj|ant)-|AKIA[A-Z0-9]{12}|gh[pousr]_[A-Za-z0-9]{20}|glpat-|xox[abpr]-"
    r"|hooks\.slack\.com/services|AIza[0-9A-Za-z_-]{20}|SG\.[\w-]{16,}\.|sk_live_"
    r"|BEGIN [A-Z ]*PRIVATE KEY|AccountKey=|\d{8,10}:AA[\w-]{20}|npm_[A-Za-z0-9]{20}|hvs\."
    r"|AC[0-9a-f]{32}"
)


def test_no_complete_key_shapes_in_the_corpus_files() -> None:
    folder = resources.files("checker.evaluation").joinpath("prompts")
    for name in corpus_files():
        raw = folder.joinpath(name).read_text("utf-8")
        assert not _KEY_SHAPES.search(raw), (name, _KEY_SHAPES.search(raw))


def test_the_value_pool_is_valid() -> None:
    assert all(VALIDATORS["IBAN_CODE"](x) for x in TEST_IBANS)
    assert all(VALIDATORS["CREDIT_CARD"](x) for x in TEST_CARDS)
    entity_of = {"IBAN_CODE (DE)": "IBAN_CODE"}
    for name, pooled in pool(n=5).items():
        check_value = VALIDATORS[entity_of.get(name, name)]
        assert all(check_value(x) for x in pooled), name


# --- family split of the generated corpus -----------------------------------------------------


def test_every_template_has_its_own_family() -> None:
    families = [t.family for t in PII_TEMPLATES + CLEAN_TEMPLATES]
    assert all(families)
    assert len(set(families)) == len(families)
    assert set(families) >= HELD_OUT_FAMILIES  # no typo in the held-out list


def test_split_holds_out_a_third_with_every_type_and_language() -> None:
    for templates in (PII_TEMPLATES, CLEAN_TEMPLATES):
        held = [t for t in templates if t.family in HELD_OUT_FAMILIES]
        assert 0.25 <= len(held) / len(templates) <= 0.40
    samples = generate(7)
    for part in (TUNE, HELD_OUT):
        chosen = [s for s in samples if split_of(s) == part]
        counts = Counter(sp.entity_type for s in chosen for sp in s.spans)
        assert {e: counts[e] for e in ENTITY_TYPES if counts[e] < 10} == {}, part
        assert {(s.lang, s.kind == CLEAN) for s in chosen} == {
            (lang, clean) for lang in ("de", "en") for clean in (True, False)
        }


# --- generalization report ---------------------------------------------------------------------


def _tiny() -> list[Sample]:
    return [
        Sample("Anna ruft an", (Span("PERSON", 0, 4),), "chat", "de"),
        Sample("Call Bob", (Span("PERSON", 5, 8),), "chat", "en"),
        Sample("Bestellung 4711 kommt Montag", (), CLEAN, "de"),
        Sample("Rechnung folgt", (), CLEAN, "de"),
    ]


def test_verdict_figures_by_hand() -> None:
    samples = _tiny()
    predictions = [
        [Pred("PERSON", 0, 4)],  # hit
        [],  # missed: a text with personal data that goes through
        [Pred("PHONE_NUMBER", 11, 15), Pred("PERSON", 22, 28)],  # blocked for nothing
        [],
    ]
    c = score("x", samples, predictions, groups=1)
    v = c.verdicts
    assert (v.labelled, v.labelled_flagged, v.clean, v.clean_flagged) == (2, 1, 2, 1)
    assert v.labelled_flagged_share == 0.5 and v.clean_flagged_share == 0.5
    assert v.clean_words == 6 and v.clean_findings == 2
    assert v.fp_per_10k == pytest.approx(10_000 * 2 / 6)
    assert c.by_lang["de"].labelled_flagged_share == 1.0
    assert c.by_lang["en"].labelled_flagged_share == 0.0
    assert c.by_lang["en"].clean_flagged_share is None  # no English clean text
    person = c.per_entity["PERSON"]
    assert (person.tp, person.fn, person.fp) == (1, 1, 1)
    assert c.lowest_recall() == ("PERSON", 0.5)
    results = {t.key: check(t, c) for t in TARGETS}
    assert results["labelled_flagged_share"] == (0.5, False)
    assert results["clean_flagged_share"] == (0.5, False)
    assert results["person_precision"] == (0.5, False)


MISSED_MARK = re.compile(r"✗ [|(]")  # a cell marked missed (the legend says "✓/✗:")


def _perfect(samples: list[Sample]) -> Callable[[], tuple[Predict, list[str]]]:
    by_text = {s.text: s for s in samples}

    def build() -> tuple[Predict, list[str]]:
        def predict(text: str) -> list[Pred]:
            return [Pred(sp.entity_type, sp.start, sp.end) for sp in by_text[text].spans]

        return predict, list(ENTITY_TYPES)

    return build


def test_a_perfect_engine_meets_every_target(corpus: list[FreeformSample]) -> None:
    generated = generate(7)
    result = evaluate(samples=generated, engines=[("perfect", _perfect(generated + corpus))])
    g = generalization(result, corpus)
    assert set(g.corpora) == {TUNE, HELD_OUT, FREEFORM}
    assert g.missed_targets() == []
    for c in g.corpora.values():
        assert c.micro.f2 == 1.0
        assert c.verdicts.labelled_flagged_share == 1.0
        assert c.verdicts.clean_flagged_share == 0.0
    assert g.corpora[FREEFORM].texts == len(corpus)
    assert g.corpora[HELD_OUT].texts + g.corpora[TUNE].texts == len(generated)
    doc = g.to_json()
    assert doc["targets"]["missed"] == []
    assert set(doc["corpora"][FREEFORM]["verdicts"]) == {"all", "de", "en"}
    text = g.render()
    assert "| **micro F2** |" in text and "| PERSON |" in text
    assert not MISSED_MARK.search(text)


def test_an_engine_that_finds_nothing_misses_the_targets(corpus: list[FreeformSample]) -> None:
    def nothing() -> tuple[Predict, list[str]]:
        return (lambda text: []), []

    generated = generate(7)
    result = evaluate(samples=generated, engines=[("nothing", nothing)])
    g: Generalization = generalization(result, corpus)
    missed = g.missed_targets()
    assert any(m.startswith("held-out: micro F2") for m in missed)
    assert any(m.startswith("free-form: ≥ 98% of texts with personal data") for m in missed)
    assert not any(m.startswith("tune") for m in missed)  # shown, not a target
    assert g.corpora[FREEFORM].verdicts.labelled_flagged_share == 0.0
    assert MISSED_MARK.search(g.render())
