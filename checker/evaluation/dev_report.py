"""Development report: what the recognizers miss and where they fire wrongly.

For recognizer work only — **not** an evaluation. It reads the development texts in
``checker/evaluation/dev/*.txt`` (same format as the free-form corpus, see
``freeform.py``; written for tuning, separately from the evaluation corpora) and, with
``--tune``, the generated corpus' *tune* families (``split.py``). The held-out families
and the free-form corpus are never read here: they are measured with ``leitplanke eval``.

    python -m checker.evaluation.dev_report            # per-type table, misses, false findings
    python -m checker.evaluation.dev_report --tune     # also the tune families
    python -m checker.evaluation.dev_report --fp-only  # false findings by recognizer

Prints values of the development texts (all fictitious), never of the held-out sets.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from importlib import resources

import checker.offline  # noqa: F401  (before presidio)
from checker.evaluation.corpus import generate
from checker.evaluation.freeform import parse
from checker.evaluation.metrics import Counts, Pred, is_match, match, micro, per_10k_words, words
from checker.evaluation.samples import CLEAN, ENTITY_TYPES, Sample
from checker.evaluation.split import TUNE, split_of


def dev_samples() -> list[Sample]:
    folder = resources.files("checker.evaluation").joinpath("dev")
    samples: list[Sample] = []
    for p in sorted(folder.iterdir(), key=lambda p: p.name):
        if p.name.endswith(".txt"):
            samples.extend(parse(p.read_text("utf-8"), p.name))
    return samples


def _snippet(text: str, start: int, end: int, width: int = 40) -> str:
    before = text[max(0, start - width) : start].replace("\n", "⏎")
    after = text[end : end + width].replace("\n", "⏎")
    return f"{before}[[{text[start:end]}]]{after}".replace("\n", "⏎")


def report(samples: Sequence[Sample], title: str, show: bool, fp_only: bool) -> None:
    from checker.config import ScanConfig
    from checker.scan import Scanner
    from policy.loader import load_policy

    scanner = Scanner(ScanConfig.from_policy(load_policy().policy))
    per_entity: dict[str, Counts] = {e: Counts() for e in ENTITY_TYPES}
    fp_by_recognizer: Counter[str] = Counter()
    clean_words = clean_fp = clean_flagged = clean_texts = labelled = labelled_flagged = 0
    lines: list[str] = []
    for sample in samples:
        findings = scanner.scan_text(sample.text)
        preds = [Pred(f.entity_type, f.start, f.end) for f in findings]
        gold = [Pred(g.entity_type, g.start, g.end) for g in sample.spans]
        for entity, c in match(gold, preds).items():
            per_entity.setdefault(entity, Counts()).add(c)
        where = getattr(sample, "origin", "") or sample.family
        if sample.kind == CLEAN:
            clean_texts += 1
            clean_words += words(sample.text)
            clean_fp += len(findings)
            clean_flagged += bool(findings)
        else:
            labelled += 1
            labelled_flagged += bool(findings)
        for f in findings:
            if not any(is_match(g, Pred(f.entity_type, f.start, f.end)) for g in gold) and not any(
                g.entity_type == f.entity_type and g.start < f.end and f.start < g.end for g in gold
            ):
                rec = (f.explanation or {}).get("recognizer") or "?"
                fp_by_recognizer[f"{f.entity_type} / {rec}"] += 1
                if show:
                    lines.append(
                        f"  FP   {where:16} {f.entity_type:14} {f.score:.2f} {rec}: "
                        f"{_snippet(sample.text, f.start, f.end)}"
                    )
        if show and not fp_only:
            for g in gold:
                if not any(is_match(g, p) for p in preds):
                    lines.append(
                        f"  MISS {where:16} {g.entity_type:14} "
                        f"{_snippet(sample.text, g.start, g.end)}"
                    )
    print(f"\n== {title}: {len(samples)} texts ({labelled} labelled, {clean_texts} clean)")
    if not fp_only:
        print(f"{'entity':22} {'n':>5} {'P':>6} {'R':>6}")
        for entity, c in per_entity.items():
            if c.support or c.fp:
                p = "-" if c.precision is None else f"{c.precision:.2f}"
                r = "-" if c.recall is None else f"{c.recall:.2f}"
                print(f"{entity:22} {c.support:5} {p:>6} {r:>6}")
        m = micro(per_entity.values())
        mp, mr, mf2 = m.precision or 0.0, m.recall or 0.0, m.f2 or 0.0
        print(f"{'micro':22} {m.support:5} {mp:6.2f} {mr:6.2f} F2 {mf2:.3f}")
        if labelled:
            print(f"labelled flagged {labelled_flagged}/{labelled}")
    if clean_texts:
        print(
            f"clean flagged {clean_flagged}/{clean_texts}; "
            f"{per_10k_words(clean_fp, clean_words):.1f} findings per 10k clean words"
        )
    for key, n in fp_by_recognizer.most_common():
        print(f"  false findings {n:4}  {key}")
    for line in sorted(lines, key=lambda s: (s.split()[0], s.split()[2])):
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tune", action="store_true", help="also the tune families")
    parser.add_argument("--quiet", action="store_true", help="tables only")
    parser.add_argument("--fp-only", action="store_true", help="false findings only")
    parser.add_argument("--genre", help="only this dev file (stem)")
    args = parser.parse_args()
    samples = dev_samples()
    if args.genre:
        samples = [s for s in samples if getattr(s, "genre", "") == args.genre]
    report(samples, "development texts", not args.quiet, args.fp_only)
    if args.tune:
        tune = [s for s in generate(seed=7) if split_of(s) == TUNE]
        report(tune, "generated corpus, tune families", not args.quiet, args.fp_only)


if __name__ == "__main__":
    main()
