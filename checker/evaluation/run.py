"""Run the labeled corpus through Leitplanke and through Presidio's default analyzer.

Both engines see the same texts in the same run:

- ``leitplanke``: ``Scanner(ScanConfig.from_policy(load_policy().policy))``, i.e. the
  embedded default policy (which names all 17 entity types) and its thresholds.
- ``presidio_default``: ``AnalyzerEngine`` with the predefined English recognizers on
  a blank spaCy "en" pipeline (no NER model, so no PERSON), language "en", default
  score threshold. Its entity names are mapped onto ours where they mean the same
  thing (``PRESIDIO_MAP``); every other prediction (DATE_TIME, URL, US_* …) is
  ignored, which only helps Presidio's precision. DATE_TIME is *not* DATE_OF_BIRTH.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

import checker.offline  # noqa: F401  (before presidio: tldextract must never download)
from checker.evaluation.corpus import generate
from checker.evaluation.metrics import (
    MIN_OVERLAP,
    Counts,
    Pred,
    match,
    micro,
    per_10k_words,
    words,
)
from checker.evaluation.samples import CLEAN, ENTITY_TYPES, Sample

if TYPE_CHECKING:
    from checker.scan import Scanner

PRESIDIO_MAP: dict[str, str] = {
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "IBAN_CODE": "IBAN_CODE",
    "CREDIT_CARD": "CREDIT_CARD",
    "IP_ADDRESS": "IP_ADDRESS",
    "PERSON": "PERSON",
}

# What `--targets` demands of Leitplanke.
TARGET_MICRO_F2 = 0.90
TARGET_RECALL = 0.85
TARGET_FP_PER_10K = 2.0

MATCHING_RULE = (
    f"same entity type and character overlap >= {MIN_OVERLAP:.0%} of the gold span; "
    "one-to-one (each gold span and each prediction matched at most once); a further "
    "prediction on an already matched gold span of its type is not counted"
)

Predict = Callable[[str], list[Pred]]


class Section(Protocol):
    """A further part of the report (e.g. generalization.py): a Markdown block after the
    table, a key in the JSON document, and the targets it misses (for `--targets`)."""

    key: str

    def render(self) -> str: ...

    def to_json(self) -> dict[str, Any]: ...

    def missed_targets(self) -> list[str]: ...


@dataclass
class EngineResult:
    name: str
    per_entity: dict[str, Counts]
    clean_fp: dict[str, int]  # false positives on the clean texts, by entity type
    clean_words: int
    seconds: float
    detects: list[str]  # entity types the engine can report at all
    # Per sample, in corpus order, and the predictor itself: lets a Section score
    # subsets of the corpus or further corpora without building the engine again.
    predictions: list[list[Pred]] = field(default_factory=list, repr=False)
    predict: Predict | None = field(default=None, repr=False)

    @property
    def micro(self) -> Counts:
        return micro(self.per_entity.values())

    @property
    def micro_detected(self) -> Counts:
        """Micro average over the entity types this engine has a recognizer for."""
        return micro(c for e, c in self.per_entity.items() if e in self.detects)

    @property
    def clean_fp_total(self) -> int:
        return sum(self.clean_fp.values())

    @property
    def fp_per_10k_clean_words(self) -> float:
        return per_10k_words(self.clean_fp_total, self.clean_words)

    def missed_targets(self) -> list[str]:
        """The `--targets` checks this engine fails, as readable lines (empty: all met)."""
        missed = []
        f2 = self.micro.f2 or 0.0
        if f2 < TARGET_MICRO_F2:
            missed.append(f"micro F2 {f2:.3f} < {TARGET_MICRO_F2}")
        for entity, c in self.per_entity.items():
            if c.support and (c.recall or 0.0) < TARGET_RECALL:
                missed.append(f"{entity} recall {c.recall or 0.0:.3f} < {TARGET_RECALL}")
        if self.fp_per_10k_clean_words > TARGET_FP_PER_10K:
            missed.append(
                f"{self.fp_per_10k_clean_words:.1f} false positives per 10k clean words "
                f"> {TARGET_FP_PER_10K}"
            )
        return missed


@dataclass
class EvalResult:
    seed: int
    samples: list[Sample] = field(repr=False)
    engines: list[EngineResult]
    corpus_seconds: float
    sections: list[Section] = field(default_factory=list)

    @property
    def leitplanke(self) -> EngineResult:
        return self.engines[0]

    def corpus_stats(self) -> dict[str, Any]:
        clean = [s for s in self.samples if s.kind == CLEAN]
        return {
            "texts": len(self.samples),
            "with_personal_data": len(self.samples) - len(clean),
            "clean": len(clean),
            "clean_words": sum(words(s.text) for s in clean),
            "words": sum(words(s.text) for s in self.samples),
            "by_kind": dict(Counter(s.kind for s in self.samples)),
            "by_lang": dict(Counter(s.lang for s in self.samples)),
            "spans_by_entity": {
                e: sum(1 for s in self.samples for sp in s.spans if sp.entity_type == e)
                for e in ENTITY_TYPES
            },
        }


@cache
def leitplanke_scanner() -> Scanner:
    """The scanner with the embedded default policy, built once per process (the peer
    suite scans with it too)."""
    from checker.config import ScanConfig
    from checker.scan import Scanner
    from policy.loader import load_policy

    scan_log = logging.getLogger("checker.scan")
    level = scan_log.level
    scan_log.setLevel(logging.ERROR)  # "no recognizer yet" is reported in the table instead
    try:
        return Scanner(ScanConfig.from_policy(load_policy().policy))
    finally:
        scan_log.setLevel(level)


def leitplanke_predictor() -> tuple[Predict, list[str]]:
    scanner = leitplanke_scanner()
    detects = [e for e in ENTITY_TYPES if e not in scanner.undetected]

    def predict(text: str) -> list[Pred]:
        return [
            Pred(f.entity_type, f.start, f.end)
            for f in scanner.scan_text(text)
            if f.entity_type in ENTITY_TYPES
        ]

    return predict, detects


def presidio_default_analyzer() -> Any:
    """Presidio's AnalyzerEngine as shipped: predefined "en" recognizers, blank "en"
    pipeline (no model can be downloaded here), default settings."""
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

    from checker.nlp_engine import OfflineSpacyNlpEngine

    nlp = OfflineSpacyNlpEngine(("en",), use_models=False)
    nlp.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=nlp)
    return AnalyzerEngine(nlp_engine=nlp, registry=registry, supported_languages=["en"])


def presidio_default_predictor() -> tuple[Predict, list[str]]:
    analyzer = presidio_default_analyzer()
    nlp = analyzer.nlp_engine
    supported = set(analyzer.get_supported_entities("en"))
    detects = [
        e for e in ENTITY_TYPES if e in {PRESIDIO_MAP[k] for k in supported & PRESIDIO_MAP.keys()}
    ]
    # Blank pipeline: Presidio's NER recognizer is registered but never yields PERSON.
    if not nlp.has_ner_for("en") and "PERSON" in detects:
        detects.remove("PERSON")

    def predict(text: str) -> list[Pred]:
        return [
            Pred(PRESIDIO_MAP[r.entity_type], r.start, r.end)
            for r in analyzer.analyze(text, language="en")
            if r.entity_type in PRESIDIO_MAP
        ]

    return predict, detects


def score_engine(
    name: str, predict: Predict, detects: list[str], samples: Sequence[Sample]
) -> EngineResult:
    per_entity = {e: Counts() for e in ENTITY_TYPES}
    clean_fp: Counter[str] = Counter()
    clean_words = 0
    predictions: list[list[Pred]] = []
    start = time.perf_counter()
    for sample in samples:
        gold = [Pred(s.entity_type, s.start, s.end) for s in sample.spans]
        predicted = predict(sample.text)
        predictions.append(predicted)
        for entity, counts in match(gold, predicted).items():
            per_entity[entity].add(counts)
            if sample.kind == CLEAN:
                clean_fp[entity] += counts.fp
        if sample.kind == CLEAN:
            clean_words += words(sample.text)
    seconds = time.perf_counter() - start
    return EngineResult(
        name,
        per_entity,
        {e: n for e, n in clean_fp.items() if n},
        clean_words,
        seconds,
        detects,
        predictions,
        predict,
    )


def evaluate(
    seed: int = 7,
    samples: Sequence[Sample] | None = None,
    engines: Sequence[tuple[str, Callable[[], tuple[Predict, list[str]]]]] | None = None,
) -> EvalResult:
    """Generate the corpus (unless given) and score every engine on it, Leitplanke first."""
    start = time.perf_counter()
    corpus = list(samples) if samples is not None else generate(seed)
    corpus_seconds = time.perf_counter() - start
    if engines is None:
        engines = (
            ("leitplanke", leitplanke_predictor),
            ("presidio_default", presidio_default_predictor),
        )
    results = []
    for name, build in engines:
        predict, detects = build()
        results.append(score_engine(name, predict, detects, corpus))
    return EvalResult(seed, corpus, results, corpus_seconds)


# --- output ------------------------------------------------------------------------------


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _counts_json(c: Counts) -> dict[str, Any]:
    def r(x: float | None) -> float | None:
        return None if x is None else round(x, 4)

    return {
        "support": c.support,
        "tp": c.tp,
        "fp": c.fp,
        "fn": c.fn,
        "precision": r(c.precision),
        "recall": r(c.recall),
        "f2": r(c.f2),
    }


def to_json(result: EvalResult) -> dict[str, Any]:
    engines = {}
    for e in result.engines:
        engines[e.name] = {
            "per_entity": {name: _counts_json(c) for name, c in e.per_entity.items()},
            "micro": _counts_json(e.micro),
            "micro_detected_types": _counts_json(e.micro_detected),
            "detects": e.detects,
            "clean": {
                "false_positives": e.clean_fp_total,
                "words": e.clean_words,
                "fp_per_10k_words": round(e.fp_per_10k_clean_words, 2),
                "false_positives_by_entity": e.clean_fp,
            },
            "seconds": round(e.seconds, 2),
        }
    lp = result.leitplanke
    missed = missed_targets(result)
    return {
        "seed": result.seed,
        "matching": MATCHING_RULE,
        "beta": 2,
        "corpus": result.corpus_stats() | {"seconds": round(result.corpus_seconds, 3)},
        "engines": engines,
        "targets": {
            "micro_f2": TARGET_MICRO_F2,
            "recall_per_entity": TARGET_RECALL,
            "fp_per_10k_clean_words": TARGET_FP_PER_10K,
            "engine": lp.name,
            "missed": missed,
        },
    } | {s.key: s.to_json() for s in result.sections}


def render_table(result: EvalResult) -> str:
    """A Markdown table: per entity support and P/R/F2 per engine, micro rows, FP/10k."""
    engines = result.engines
    head = ["Entity", "Support"] + [f"{e.name} {m}" for e in engines for m in ("P", "R", "F2")]
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|",
    ]

    def row(label: str, support: int | str, counts: list[Counts]) -> str:
        cells = [label, str(support)]
        for c in counts:
            cells += [_num(c.precision), _num(c.recall), _num(c.f2)]
        return "| " + " | ".join(cells) + " |"

    for entity in ENTITY_TYPES:
        support = engines[0].per_entity[entity].support
        lines.append(row(entity, support, [e.per_entity[entity] for e in engines]))
    lines.append(row("**micro, all types**", engines[0].micro.support, [e.micro for e in engines]))
    lines.append(row("micro, types the engine detects", "", [e.micro_detected for e in engines]))
    fp_cells = ["FP per 10k clean words", str(engines[0].clean_words) + " words"]
    for e in engines:
        fp_cells += [f"{e.fp_per_10k_clean_words:.1f} ({e.clean_fp_total} FP)", "", ""]
    lines.append("| " + " | ".join(fp_cells) + " |")
    return "\n".join(lines)


def render_summary(result: EvalResult) -> str:
    stats = result.corpus_stats()
    langs = ", ".join(f"{k} {v}" for k, v in sorted(stats["by_lang"].items()))
    parts = [
        f"Corpus (seed {result.seed}): {stats['texts']} texts — {stats['with_personal_data']} "
        f"with personal data, {stats['clean']} clean ({stats['clean_words']} words); {langs}.",
        f"Matching: {MATCHING_RULE}. F2: β = 2.",
        "",
        render_table(result),
        "",
    ]
    for e in result.engines:
        parts.append(f"{e.name}: {e.seconds:.1f} s for {stats['texts']} texts")
    parts += ["\n" + s.render() for s in result.sections]
    return "\n".join(parts)


def missed_targets(result: EvalResult) -> list[str]:
    """Every `--targets` check Leitplanke fails: this corpus's and each section's."""
    return result.leitplanke.missed_targets() + [
        m for s in result.sections for m in s.missed_targets()
    ]
