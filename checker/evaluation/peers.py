"""The peer suite: Leitplanke on Presidio's and python-stdnum's own test tables.

Every unit (peer_cases.Unit) is scored against the findings the engine reports for its
text: a positive is *found* when a finding of its type covers at least half of its gold
span (one-to-one; without a gold span, any finding of the type counts), a negative is
*clean* when the text has no finding of its type. Debatable units (peer_rules) do not
count towards the targets; they are listed with Leitplanke's choice and whether the
engine held to it. Types Leitplanke does not emit (organisation numbers, postcodes) are
listed with the reason.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from checker.evaluation.metrics import MIN_OVERLAP, Pred
from checker.evaluation.peer_cases import OUT_OF_SCOPE, SOURCES, Unit, header, load_units
from checker.evaluation.peer_rules import NEGATIVE, POSITIVE, Judgement, judge

TARGET_POSITIVES = 0.95  # of each peer's non-debatable positives found
TARGET_NEGATIVES = 0.99  # of each peer's non-debatable negatives clean
MAX_LISTED = 25  # misses printed per kind

Predict = Callable[[str], list[Pred]]


@dataclass(frozen=True)
class Outcome:
    unit: Unit
    judgement: Judgement | None
    hit: bool  # a positive found / a negative clean (for its own type)
    other: bool = False  # a finding of the type the judgement names instead

    @property
    def held(self) -> bool:
        """Whether the engine did what the debatable unit's choice says."""
        assert self.judgement is not None
        if self.judgement.ours == POSITIVE:
            return self.hit if self.unit.positive else not self.hit
        if self.judgement.ours == NEGATIVE:
            return not self.hit if self.unit.positive else self.hit
        return self.other


@dataclass
class Tally:
    positives: int = 0
    found: int = 0
    negatives: int = 0
    clean: int = 0
    extra: int = 0  # findings of the type in a positive text that match no unit
    debatable: int = 0
    held: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def found_share(self) -> float | None:
        return self.found / self.positives if self.positives else None

    @property
    def clean_share(self) -> float | None:
        return self.clean / self.negatives if self.negatives else None


@dataclass
class PeerResult:
    """The peer suite's result; a Section of `leitplanke eval` (run.Section)."""

    outcomes: list[Outcome]
    extras: Counter[tuple[str, str]]
    out_of_scope: Counter[tuple[str, str]]  # (source, peer entity) -> units
    seconds: float
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    key: str = "peers"

    def render(self) -> str:
        return render_peers(self)

    def to_json(self) -> dict[str, Any]:
        return peers_json(self)

    def tallies(self) -> dict[tuple[str, str], Tally]:
        tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
        for o in self.outcomes:
            t = tallies[(o.unit.source, o.unit.entity)]
            if o.judgement is not None:
                t.debatable += 1
                t.held += o.held
            elif o.unit.positive:
                t.positives += 1
                t.found += o.hit
            else:
                t.negatives += 1
                t.clean += o.hit
        for key, n in self.extras.items():
            tallies[key].extra += n
        return dict(sorted(tallies.items()))

    def totals(self) -> dict[str, Tally]:
        totals = {source: Tally() for source in SOURCES}
        for (source, _entity), t in self.tallies().items():
            totals[source].add(t)
        return totals

    def missed_targets(self) -> list[str]:
        missed = []
        for source, t in self.totals().items():
            if (t.found_share or 0.0) < TARGET_POSITIVES:
                missed.append(
                    f"peer suite {source}: {t.found}/{t.positives} positives found "
                    f"< {TARGET_POSITIVES:.0%}"
                )
            if (t.clean_share or 0.0) < TARGET_NEGATIVES:
                missed.append(
                    f"peer suite {source}: {t.clean}/{t.negatives} negatives clean "
                    f"< {TARGET_NEGATIVES:.0%}"
                )
        return missed

    def debatable_groups(self) -> list[dict[str, Any]]:
        """Debatable units grouped by source, type, reason and choice."""
        groups: dict[tuple[str, str, str, str], list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            if o.judgement is not None:
                key = (o.unit.source, o.unit.entity, o.judgement.reason, o.judgement.ours)
                groups[key].append(o)
        return [
            {
                "source": source,
                "entity_type": entity,
                "reason": reason,
                "choice": _choice(ours),
                "units": len(items),
                "held": sum(o.held for o in items),
                "examples": _examples(items),
            }
            for (source, entity, reason, ours), items in sorted(groups.items())
        ]

    def misses(self) -> dict[str, list[dict[str, str]]]:
        """Non-debatable positives not found and negatives not clean."""
        kinds: dict[str, list[dict[str, str]]] = {"positives": [], "negatives": []}
        for o in self.outcomes:
            if o.judgement is None and not o.hit:
                kind = "positives" if o.unit.positive else "negatives"
                kinds[kind].append(_describe(o.unit))
        return kinds


def _choice(ours: str) -> str:
    return {POSITIVE: "reported", NEGATIVE: "not reported"}.get(ours, f"reported as {ours}")


def _describe(unit: Unit) -> dict[str, str]:
    return {
        "source": unit.source,
        "entity_type": unit.entity,
        "value": unit.value,
        "text": unit.text,
        "variant": unit.variant,
        "origin": unit.origin,
    }


def _examples(items: Sequence[Outcome], n: int = 3) -> list[str]:
    values: list[str] = []
    for o in items:
        if o.unit.value not in values:
            values.append(o.unit.value)
    return values[:n]


def _overlaps(span: tuple[int, int], pred: Pred) -> bool:
    start, end = span
    overlap = min(end, pred.end) - max(start, pred.start)
    return overlap > 0 and overlap >= MIN_OVERLAP * (end - start)


def score_case(units: Sequence[Unit], predictions: list[Pred]) -> tuple[list[Outcome], int]:
    """Outcomes of one text's units, and the findings of a positive's type left over."""
    outcomes: list[Outcome] = []
    judgements = [judge(u) for u in units]
    used: set[int] = set()
    extra = 0
    for entity in sorted({u.entity for u in units}):
        of_type = [i for i, p in enumerate(predictions) if p.entity_type == entity]
        mine = [(u, j) for u, j in zip(units, judgements, strict=True) if u.entity == entity]
        for unit, judgement in mine:
            if not unit.positive:
                continue
            free = [i for i in of_type if i not in used]
            if unit.span is not None:
                span = unit.span
                hit = next((i for i in free if _overlaps(span, predictions[i])), None)
            else:
                hit = free[0] if free else None
            if hit is not None:
                used.add(hit)
            other = _other(unit, judgement, predictions)
            outcomes.append(Outcome(unit, judgement, hit is not None, other))
        for unit, judgement in mine:
            if not unit.positive:
                outcomes.append(
                    Outcome(unit, judgement, not of_type, _other(unit, judgement, predictions))
                )
        if any(u.positive for u, _ in mine):
            extra += sum(1 for i in of_type if i not in used)
    return outcomes, extra


def _other(unit: Unit, judgement: Judgement | None, predictions: list[Pred]) -> bool:
    """A finding of the type the judgement names instead of the unit's own."""
    if judgement is None or judgement.ours in (POSITIVE, NEGATIVE):
        return False
    return any(
        p.entity_type == judgement.ours and (unit.span is None or _overlaps(unit.span, p))
        for p in predictions
    )


def peer_section() -> PeerResult | None:
    """The peer suite on the scanner `leitplanke eval` uses (all entity types, the new
    ones too); None without its test data (an installed wheel)."""
    from checker.evaluation.peer_cases import available
    from checker.evaluation.run import leitplanke_scanner

    if not available():
        return None
    scanner = leitplanke_scanner()
    return evaluate_peers(
        lambda text: [Pred(f.entity_type, f.start, f.end) for f in scanner.scan_text(text)]
    )


def evaluate_peers(predict: Predict, units: Sequence[Unit] | None = None) -> PeerResult:
    """Score `predict` on every unit (all peers' units unless given)."""
    start = time.perf_counter()
    units = list(units) if units is not None else load_units()
    by_case: dict[tuple[str, str], list[Unit]] = defaultdict(list)
    out_of_scope: Counter[tuple[str, str]] = Counter()
    for unit in units:
        if unit.peer_entity in OUT_OF_SCOPE:
            out_of_scope[(unit.source, unit.peer_entity)] += 1
        else:
            by_case[(unit.source, unit.text)].append(unit)
    outcomes: list[Outcome] = []
    extras: Counter[tuple[str, str]] = Counter()
    for (source, text), case_units in by_case.items():
        case_outcomes, extra = score_case(case_units, predict(text))
        outcomes.extend(case_outcomes)
        if extra:
            extras[(source, case_units[0].entity)] += extra
    seconds = time.perf_counter() - start
    sources = {s: header(s) for s in SOURCES if any(u.source == s for u in units)}
    return PeerResult(outcomes, extras, out_of_scope, seconds, sources)


# --- output ------------------------------------------------------------------------------


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.1%})" if whole else "–"


def render_peers(result: PeerResult) -> str:
    lines = ["Peer suite: the peers' own test tables (test data in tests/peers/)."]
    for source, head in result.sources.items():
        lines.append(
            f"- {source}: {head['repository']} at {head['commit'][:10]} ({head['licence']})"
        )
    lines += [
        f"Targets per peer: >= {TARGET_POSITIVES:.0%} of non-debatable positives found, "
        f">= {TARGET_NEGATIVES:.0%} of negatives clean.",
        "",
        "| Source | Entity type | Positives found | Negatives clean | Extra findings "
        "| Debatable (choice held) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for (source, entity), t in result.tallies().items():
        lines.append(
            f"| {source} | {entity} | {_share(t.found, t.positives)} | "
            f"{_share(t.clean, t.negatives)} | {t.extra} | {t.debatable} ({t.held}) |"
        )
    for source, t in result.totals().items():
        lines.append(
            f"| **{source}, all** | | {_share(t.found, t.positives)} | "
            f"{_share(t.clean, t.negatives)} | {t.extra} | {t.debatable} ({t.held}) |"
        )
    if result.out_of_scope:
        lines += ["", "Not emitted (not counted):"]
        for (source, entity), n in sorted(result.out_of_scope.items()):
            lines.append(f"- {source} {entity} ({n} units): {OUT_OF_SCOPE[entity]}")
    lines += ["", "Debatable (not counted): reason → Leitplanke's choice, units held/total:"]
    for g in result.debatable_groups():
        examples = ", ".join(f"`{v}`" for v in g["examples"])
        lines.append(
            f"- {g['source']} {g['entity_type']}: {g['reason']} → {g['choice']}, "
            f"{g['held']}/{g['units']} held (e.g. {examples})"
        )
    for kind, items in result.misses().items():
        if items:
            label = "positives not found" if kind == "positives" else "negatives not clean"
            lines += ["", f"Non-debatable {label} ({len(items)}):"]
            for item in items[:MAX_LISTED]:
                lines.append(
                    f"- {item['source']} {item['entity_type']} `{item['value']}` "
                    f"({item['variant']}, {item['origin']}): {item['text']!r}"
                )
            if len(items) > MAX_LISTED:
                lines.append(f"- … {len(items) - MAX_LISTED} more (see --json)")
    lines += ["", f"Peer suite: {len(result.outcomes)} units in {result.seconds:.1f} s"]
    return "\n".join(lines)


def peers_json(result: PeerResult) -> dict[str, Any]:
    def tally(t: Tally) -> dict[str, Any]:
        return {
            "positives": t.positives,
            "found": t.found,
            "negatives": t.negatives,
            "clean": t.clean,
            "extra_findings": t.extra,
            "debatable": t.debatable,
            "debatable_held": t.held,
        }

    by_source: dict[str, dict[str, Any]] = {s: {} for s in result.sources}
    for (source, entity), t in result.tallies().items():
        by_source[source][entity] = tally(t)
    return {
        "sources": {
            s: {k: h[k] for k in ("repository", "commit", "licence")}
            for s, h in result.sources.items()
        },
        "per_entity": by_source,
        "totals": {s: tally(t) for s, t in result.totals().items()},
        "out_of_scope": {
            f"{source}:{entity}": {"units": n, "reason": OUT_OF_SCOPE[entity]}
            for (source, entity), n in sorted(result.out_of_scope.items())
        },
        "debatable": result.debatable_groups(),
        "misses": result.misses(),
        "targets": {
            "positives_found": TARGET_POSITIVES,
            "negatives_clean": TARGET_NEGATIVES,
            "missed": result.missed_targets(),
        },
        "seconds": round(result.seconds, 2),
    }
