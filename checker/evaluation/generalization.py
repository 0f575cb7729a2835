"""Generalization report for `leitplanke eval`: Leitplanke on three corpora side by side.

- **tune**: the generated corpus' template families that recognizer work may look at;
- **held_out**: the families held out of tuning (``split.py``);
- **freeform**: the hand-written free-form prompt corpus (``freeform.py``).

For each: micro precision/recall/F2, precision and recall per entity type, and what
employees feel — the share of texts with personal data that get any finding (under the
default policy: blocked, so a text without a finding went through) and the share of
clean texts that get one (blocked for nothing), per language, plus false findings per
10,000 words of clean text. The issue-15 targets are checked on the held-out families
and the free-form corpus (the tune families are shown for comparison).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from checker.evaluation.freeform import load as load_freeform
from checker.evaluation.metrics import Counts, Pred, match, micro, per_10k_words, words
from checker.evaluation.run import EvalResult, Predict
from checker.evaluation.samples import CLEAN, ENTITY_TYPES, Sample
from checker.evaluation.split import HELD_OUT, TUNE, split_of

FREEFORM = "freeform"
TITLES = {TUNE: "tune", HELD_OUT: "held-out", FREEFORM: "free-form"}
TARGET_CORPORA = (HELD_OUT, FREEFORM)
LANGS = ("de", "en")

# Issue 15's targets.
TARGET_F2 = 0.93
TARGET_RECALL = 0.85  # every entity type with gold spans
TARGET_PERSON_RECALL = 0.90
TARGET_PERSON_PRECISION = 0.95
TARGET_FP_PER_10K = 3.0  # false findings per 10,000 words of clean text
TARGET_CLEAN_FLAGGED = 0.02  # share of clean texts with any finding, at most
TARGET_LABELLED_FLAGGED = 0.98  # share of texts with personal data with any finding, at least


@dataclass
class Verdicts:
    """Text-level figures of one language (or all)."""

    labelled: int = 0
    labelled_flagged: int = 0
    clean: int = 0
    clean_flagged: int = 0
    clean_words: int = 0
    clean_findings: int = 0  # every finding on a clean text is a false one

    def add(self, other: Verdicts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def labelled_flagged_share(self) -> float | None:
        return self.labelled_flagged / self.labelled if self.labelled else None

    @property
    def clean_flagged_share(self) -> float | None:
        return self.clean_flagged / self.clean if self.clean else None

    @property
    def fp_per_10k(self) -> float | None:
        return per_10k_words(self.clean_findings, self.clean_words) if self.clean_words else None


@dataclass
class CorpusScore:
    name: str
    texts: int
    per_entity: dict[str, Counts]
    by_lang: dict[str, Verdicts]
    groups: int  # template families or genres
    seconds: float = 0.0

    @property
    def micro(self) -> Counts:
        return micro(self.per_entity.values())

    @property
    def verdicts(self) -> Verdicts:
        total = Verdicts()
        for v in self.by_lang.values():
            total.add(v)
        return total

    def lowest_recall(self) -> tuple[str, float] | None:
        recalls = [(c.recall, e) for e, c in self.per_entity.items() if c.recall is not None]
        if not recalls:
            return None
        value, entity = min(recalls)
        if len(recalls) > 1 and all(r == value for r, _ in recalls):
            return "all types", value
        return entity, value


def score(
    name: str,
    samples: Sequence[Sample],
    predictions: Sequence[Sequence[Pred]],
    groups: int,
    seconds: float = 0.0,
) -> CorpusScore:
    per_entity = {e: Counts() for e in ENTITY_TYPES}
    by_lang = {lang: Verdicts() for lang in LANGS}
    for sample, predicted in zip(samples, predictions, strict=True):
        gold = [Pred(s.entity_type, s.start, s.end) for s in sample.spans]
        for entity, counts in match(gold, predicted).items():
            per_entity[entity].add(counts)
        v = by_lang.setdefault(sample.lang, Verdicts())
        flagged = bool(predicted)
        if sample.kind == CLEAN:
            v.clean += 1
            v.clean_flagged += flagged
            v.clean_words += words(sample.text)
            v.clean_findings += len(predicted)
        else:
            v.labelled += 1
            v.labelled_flagged += flagged
    return CorpusScore(name, len(samples), per_entity, by_lang, groups, seconds)


# --- targets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    key: str
    label: str  # how the target reads in the table
    measure: Callable[[CorpusScore], float | None]
    met: Callable[[float], bool]
    fmt: str = "{:.2f}"


def _person(attr: str) -> Callable[[CorpusScore], float | None]:
    return lambda c: (
        getattr(c.per_entity["PERSON"], attr) if c.per_entity["PERSON"].support else None
    )


def _lowest(c: CorpusScore) -> float | None:
    lowest = c.lowest_recall()
    return None if lowest is None else lowest[1]


TARGETS: tuple[Target, ...] = (
    Target(
        "micro_f2", f"micro F2 ≥ {TARGET_F2:.2f}", lambda c: c.micro.f2, lambda x: x >= TARGET_F2
    ),
    Target(
        "recall_every_type",
        f"recall ≥ {TARGET_RECALL:.2f} for every entity type",
        _lowest,
        lambda x: x >= TARGET_RECALL,
    ),
    Target(
        "person_recall",
        f"PERSON recall ≥ {TARGET_PERSON_RECALL:.2f}",
        _person("recall"),
        lambda x: x >= TARGET_PERSON_RECALL,
    ),
    Target(
        "person_precision",
        f"PERSON precision ≥ {TARGET_PERSON_PRECISION:.2f}",
        _person("precision"),
        lambda x: x >= TARGET_PERSON_PRECISION,
    ),
    Target(
        "fp_per_10k_clean_words",
        f"≤ {TARGET_FP_PER_10K:g} false findings per 10k clean words",
        lambda c: c.verdicts.fp_per_10k,
        lambda x: x <= TARGET_FP_PER_10K,
        "{:.1f}",
    ),
    Target(
        "clean_flagged_share",
        f"≤ {TARGET_CLEAN_FLAGGED:.0%} of clean texts flagged",
        lambda c: c.verdicts.clean_flagged_share,
        lambda x: x <= TARGET_CLEAN_FLAGGED,
        "{:.1%}",
    ),
    Target(
        "labelled_flagged_share",
        f"≥ {TARGET_LABELLED_FLAGGED:.0%} of texts with personal data flagged",
        lambda c: c.verdicts.labelled_flagged_share,
        lambda x: x >= TARGET_LABELLED_FLAGGED,
        "{:.1%}",
    ),
)


def check(target: Target, corpus: CorpusScore) -> tuple[float | None, bool]:
    """The measured value and whether the target is met (no value: nothing to miss)."""
    value = target.measure(corpus)
    return value, value is None or target.met(value)


# --- the report section ----------------------------------------------------------------------


@dataclass
class Generalization:
    corpora: dict[str, CorpusScore]
    key: str = field(default="generalization", init=False)

    def missed_targets(self) -> list[str]:
        missed = []
        for name in TARGET_CORPORA:
            corpus = self.corpora[name]
            for t in TARGETS:
                value, ok = check(t, corpus)
                if not ok and value is not None:
                    missed.append(f"{TITLES[name]}: {t.label} (is {t.fmt.format(value)})")
        return missed

    def to_json(self) -> dict[str, Any]:
        return {
            "corpora": {name: _corpus_json(c) for name, c in self.corpora.items()},
            "targets": {
                "corpora": list(TARGET_CORPORA),
                "definitions": {t.key: t.label for t in TARGETS},
                "results": {
                    name: {
                        t.key: dict(zip(("value", "met"), _rounded(check(t, c)), strict=True))
                        for t in TARGETS
                    }
                    for name, c in self.corpora.items()
                },
                "missed": self.missed_targets(),
            },
        }

    def render(self) -> str:
        return render(self)


def generalization(result: EvalResult, freeform: Sequence[Sample] | None = None) -> Generalization:
    """Split `result`'s generated corpus by family and score the free-form corpus with the
    same Leitplanke predictor (``result.leitplanke``, which must hold its predictions)."""
    engine = result.leitplanke
    if engine.predict is None or len(engine.predictions) != len(result.samples):
        raise ValueError("the evaluation result holds no per-sample predictions")
    parts: dict[str, tuple[list[Sample], list[list[Pred]]]] = {TUNE: ([], []), HELD_OUT: ([], [])}
    for sample, predicted in zip(result.samples, engine.predictions, strict=True):
        texts, preds = parts[split_of(sample)]
        texts.append(sample)
        preds.append(predicted)
    corpora = {
        name: score(name, texts, preds, len({s.family for s in texts}))
        for name, (texts, preds) in parts.items()
    }
    samples = list(freeform) if freeform is not None else load_freeform()
    corpora[FREEFORM] = score_with(FREEFORM, engine.predict, samples)
    return Generalization(corpora)


def score_with(name: str, predict: Predict, samples: Sequence[Sample]) -> CorpusScore:
    start = time.perf_counter()
    predictions = [predict(s.text) for s in samples]
    seconds = time.perf_counter() - start
    genres = len({getattr(s, "genre", s.kind) for s in samples})
    return score(name, samples, predictions, genres, seconds)


# --- output ------------------------------------------------------------------------------------


def _rounded(pair: tuple[float | None, bool]) -> tuple[float | None, bool]:
    value, ok = pair
    return (None if value is None else round(value, 4)), ok


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


def _verdicts_json(v: Verdicts) -> dict[str, Any]:
    def r(x: float | None) -> float | None:
        return None if x is None else round(x, 4)

    return {
        "labelled_texts": v.labelled,
        "labelled_flagged": v.labelled_flagged,
        "labelled_flagged_share": r(v.labelled_flagged_share),
        "clean_texts": v.clean,
        "clean_flagged": v.clean_flagged,
        "clean_flagged_share": r(v.clean_flagged_share),
        "clean_words": v.clean_words,
        "clean_false_findings": v.clean_findings,
        "fp_per_10k_clean_words": r(v.fp_per_10k),
    }


def _corpus_json(c: CorpusScore) -> dict[str, Any]:
    return {
        "texts": c.texts,
        "groups": c.groups,
        "per_entity": {e: _counts_json(n) for e, n in c.per_entity.items()},
        "micro": _counts_json(c.micro),
        "verdicts": {"all": _verdicts_json(c.verdicts)}
        | {lang: _verdicts_json(v) for lang, v in c.by_lang.items()},
    }


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}" if x in (0.0, 1.0) else f"{x:.1%}"


def _num(x: float | None, fmt: str = "{:.2f}") -> str:
    return "–" if x is None else fmt.format(x)


def _mark(name: str, target: Target, corpus: CorpusScore) -> str:
    if name not in TARGET_CORPORA:
        return ""
    value, ok = check(target, corpus)
    return "" if value is None else (" ✓" if ok else " ✗")


def render(g: Generalization) -> str:
    names = list(g.corpora)
    c = g.corpora
    t = {target.key: target for target in TARGETS}
    head = "| | " + " | ".join(TITLES[n] for n in names) + " | target (issue 15) |"
    lines = [
        "Generalization — Leitplanke on the generated corpus' tune and held-out template "
        "families and on the hand-written free-form corpus. ✓/✗: target met/missed "
        "(checked on held-out and free-form).",
        "",
        head,
        "|---|" + "---:|" * len(names) + "---|",
    ]

    def row(label: str, cells: list[str], target: str = "") -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")

    row(
        "texts: with personal data / clean",
        [f"{c[n].verdicts.labelled} / {c[n].verdicts.clean}" for n in names],
    )
    row("template families / genres", [str(c[n].groups) for n in names])
    row("micro precision", [_num(c[n].micro.precision) for n in names])
    row("micro recall", [_num(c[n].micro.recall) for n in names])
    row(
        "**micro F2**",
        [_num(c[n].micro.f2) + _mark(n, t["micro_f2"], c[n]) for n in names],
        f"≥ {TARGET_F2:.2f}",
    )

    def lowest(n: str) -> str:
        low = c[n].lowest_recall()
        if low is None:
            return "–"
        return f"{low[1]:.2f} ({low[0]})" + _mark(n, t["recall_every_type"], c[n])

    row("lowest recall of an entity type", [lowest(n) for n in names], f"≥ {TARGET_RECALL:.2f}")
    row(
        "PERSON precision",
        [
            _num(c[n].per_entity["PERSON"].precision) + _mark(n, t["person_precision"], c[n])
            for n in names
        ],
        f"≥ {TARGET_PERSON_PRECISION:.2f}",
    )
    row(
        "PERSON recall",
        [
            _num(c[n].per_entity["PERSON"].recall) + _mark(n, t["person_recall"], c[n])
            for n in names
        ],
        f"≥ {TARGET_PERSON_RECALL:.2f}",
    )

    def by_lang(n: str, attr: str, fmt: Callable[[float | None], str], key: str) -> str:
        total = fmt(getattr(c[n].verdicts, attr)) + _mark(n, t[key], c[n])
        langs = " / ".join(fmt(getattr(c[n].by_lang[lang], attr)) for lang in LANGS)
        return f"{total} ({langs})"

    row(
        "texts with personal data flagged (de / en)",
        [by_lang(n, "labelled_flagged_share", _pct, "labelled_flagged_share") for n in names],
        f"≥ {TARGET_LABELLED_FLAGGED:.0%}",
    )
    row(
        "clean texts flagged (de / en)",
        [by_lang(n, "clean_flagged_share", _pct, "clean_flagged_share") for n in names],
        f"≤ {TARGET_CLEAN_FLAGGED:.0%}",
    )
    row(
        "false findings per 10k clean words (de / en)",
        [
            by_lang(n, "fp_per_10k", lambda x: _num(x, "{:.1f}"), "fp_per_10k_clean_words")
            for n in names
        ],
        f"≤ {TARGET_FP_PER_10K:g}",
    )
    row("clean words", [str(c[n].verdicts.clean_words) for n in names])

    lines += ["", render_entities(g), ""]
    missed = g.missed_targets()
    met = sum(1 for n in TARGET_CORPORA for target in TARGETS if check(target, c[n])[1])
    lines.append(
        f"Issue-15 targets: {met} of {len(TARGETS) * len(TARGET_CORPORA)} met on held-out "
        "and free-form." + ("" if missed else " All met.")
    )
    lines += [f"- missed: {m}" for m in missed]
    return "\n".join(lines)


def render_entities(g: Generalization) -> str:
    """Support, precision and recall per entity type on each corpus."""
    names = list(g.corpora)
    head = ["Entity"] + [f"{TITLES[n]} {m}" for n in names for m in ("n", "P", "R")]
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|",
    ]
    for entity in ENTITY_TYPES:
        cells = [entity]
        for n in names:
            counts = g.corpora[n].per_entity[entity]
            recall = _num(counts.recall)
            if n in TARGET_CORPORA and counts.recall is not None:
                recall += " ✓" if counts.recall >= TARGET_RECALL else " ✗"
            cells += [str(counts.support), _num(counts.precision), recall]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
