"""The offline spaCy engine: blank pipelines with only the lemmas that can matter."""

from __future__ import annotations

from dataclasses import replace

import spacy

from checker.config import ScanConfig
from checker.evaluation.corpus import generate
from checker.evaluation.handwritten import handwritten
from checker.nlp_engine import MAX_RUN, BoundedTokenizer, blank_pipeline, needed_lemmas, run_cuts
from checker.scan import Scanner
from policy.loader import load_policy


def test_needed_lemmas_keep_context_words_and_stop_words_only() -> None:
    lookups = needed_lemmas("de", ["konto", "telefon"])
    assert lookups is not None
    table = lookups.get_table("lemma_lookup")
    assert table.get("Kontos") == "Konto"  # the lemma holds a context word
    assert table.get("ist") == "sein"  # stop words decide which words count at all
    assert "Häuser" not in table  # neither: same result as no entry
    assert 0 < len(table) < 10_000


def test_a_lean_pipeline_lemmatizes_what_matters_like_the_full_one() -> None:
    lean, full = blank_pipeline("de", ["konto"]), blank_pipeline("de")
    text = "Die Kontos wurden gestern geprüft"
    lean_lemmas = [t.lemma_ for t in lean(text)]
    assert lean_lemmas[:3] == [t.lemma_ for t in full(text)][:3] == ["der", "Konto", "werden"]
    assert lean_lemmas[-1] == "geprüft"  # no context word, no stop word: the word itself


def test_lean_lemmas_find_exactly_what_the_whole_table_finds() -> None:
    config = replace(ScanConfig.from_policy(load_policy().policy), prefilter=False)
    lean = Scanner(config)
    full = Scanner(replace(config, lean_lemmas=False))
    texts = [s.text for s in generate()[::3]] + [s.text for s in handwritten()]

    def key(text: str, scanner: Scanner) -> list[tuple[str, int, int, float]]:
        found = scanner.scan_text(text)
        return sorted((f.entity_type, f.start, f.end, round(f.score, 4)) for f in found)

    assert [t for t in texts if key(t, lean) != key(t, full)] == []


def test_the_bounded_tokenizer_changes_nothing_without_long_runs() -> None:
    plain = spacy.blank("de").tokenizer
    bounded = BoundedTokenizer(plain)
    texts = [s.text for s in handwritten()] + ["Mail: anna@example.de  (Tel. 030/123)\n\n"]
    for text in (t for t in texts if not run_cuts(t)):
        assert [(t.text, t.whitespace_) for t in bounded(text)] == [
            (t.text, t.whitespace_) for t in plain(text)
        ]


def test_the_bounded_tokenizer_cuts_long_runs_and_keeps_the_text() -> None:
    bounded = BoundedTokenizer(spacy.blank("de").tokenizer)
    text = "Kontakt: " + '{"email":"anna@example.de","telefon":"030123456"}' * 5 + " ::" * 3
    doc = bounded(text)
    assert doc.text == text
    assert max(len(t.text) for t in doc) <= MAX_RUN
    assert "Kontakt" in [t.text for t in doc]
    assert run_cuts("x" * 10 + " " + "ab:" * 100) == [74, 137, 200, 263]  # after a ":"
    assert run_cuts("a" * 130) == [64, 128]  # no non-word character: a hard cut
