"""The offline spaCy engine: blank pipelines with only the lemmas that can matter."""

from __future__ import annotations

from dataclasses import replace

from checker.config import ScanConfig
from checker.evaluation.corpus import generate
from checker.evaluation.handwritten import handwritten
from checker.nlp_engine import blank_pipeline, needed_lemmas
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
