"""Span-level matching and scores: precision, recall, F2, false positives per 10k words.

Matching rule. A predicted span is a true positive when it has the same entity type
as a gold span and their characters overlap by at least half of the gold span's
length (``overlap >= 0.5 * (gold.end - gold.start)``). Matching is one-to-one within
a text: each gold span is matched at most once and each prediction at most once
(pairs with the largest overlap first). Unmatched gold spans are false negatives.
Unmatched predictions are false positives — except a prediction that overlaps a gold
span of its type which another prediction already matched (a duplicate, or the second
half of a split span such as "arbeitsunfähig" + "erkrankt"): it is neither a hit nor a
false alarm and is not counted.

F2 weighs recall twice as much as precision (β = 2): a missed IBAN is worse for a
gateway than a needless warning. F2 = 5·P·R / (4·P + R).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MIN_OVERLAP = 0.5  # of the gold span's length
BETA = 2.0


@dataclass(frozen=True)
class Pred:
    entity_type: str
    start: int
    end: int


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        """None when nothing was predicted."""
        predicted = self.tp + self.fp
        return self.tp / predicted if predicted else None

    @property
    def recall(self) -> float | None:
        """None when there is no gold span."""
        return self.tp / self.support if self.support else None

    @property
    def f2(self) -> float | None:
        return f_beta(self.precision, self.recall)

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


def f_beta(precision: float | None, recall: float | None, beta: float = BETA) -> float | None:
    """F-beta; an undefined precision (no predictions) counts as 0, undefined recall as None."""
    if recall is None:
        return None
    p = precision or 0.0
    if p == 0.0 and recall == 0.0:
        return 0.0
    b2 = beta * beta
    return (1 + b2) * p * recall / (b2 * p + recall)


def overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def is_match(gold: Pred, pred: Pred) -> bool:
    """Same entity type and overlap >= half of the gold span."""
    if gold.entity_type != pred.entity_type:
        return False
    shared = overlap(gold.start, gold.end, pred.start, pred.end)
    return shared > 0 and shared >= MIN_OVERLAP * (gold.end - gold.start)


def match(gold: Sequence[Pred], predicted: Sequence[Pred]) -> dict[str, Counts]:
    """Per-entity counts for one text (one-to-one matching, largest overlap first)."""
    pairs = sorted(
        (
            (overlap(g.start, g.end, p.start, p.end), gi, pi)
            for gi, g in enumerate(gold)
            for pi, p in enumerate(predicted)
            if is_match(g, p)
        ),
        reverse=True,
    )
    gold_used: set[int] = set()
    pred_used: set[int] = set()
    counts: dict[str, Counts] = {}
    for _, gi, pi in pairs:
        if gi in gold_used or pi in pred_used:
            continue
        gold_used.add(gi)
        pred_used.add(pi)
        counts.setdefault(gold[gi].entity_type, Counts()).tp += 1
    for gi, g in enumerate(gold):
        if gi not in gold_used:
            counts.setdefault(g.entity_type, Counts()).fn += 1
    for pi, p in enumerate(predicted):
        if pi in pred_used:
            continue
        fragment = any(
            g.entity_type == p.entity_type and overlap(g.start, g.end, p.start, p.end) > 0
            for gi, g in enumerate(gold)
            if gi in gold_used
        )
        if not fragment:
            counts.setdefault(p.entity_type, Counts()).fp += 1
    return counts


def micro(per_entity: Iterable[Counts]) -> Counts:
    total = Counts()
    for c in per_entity:
        total.add(c)
    return total


def words(text: str) -> int:
    return len(text.split())


def per_10k_words(count: int, n_words: int) -> float:
    return 10_000 * count / n_words if n_words else 0.0
