"""Every finding of the default policy's scanner on every evaluation corpus, to compare
the checker before and after a change that must not change what it finds.

    python -m bench.identical_findings dump build/findings-before.json
    (change the checker)
    python -m bench.identical_findings dump build/findings-after.json
    python -m bench.identical_findings compare build/findings-before.json build/findings-after.json

A finding is compared by entity type, data class, span, part, score, the explanation
(recognizer, pattern, context word, checksum) and a hash of its value (no raw values in
the dump). Texts: the generated evaluation corpus (seeds 7 and 11), the free-form and
hand-written corpora, the peer suite (tests/peers), the dev texts, the bench corpus of
every size and content pool, multi-part requests (values across parts) and long
adversarial inputs. `--full` also scans with the prefilter off and requires the same.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

DEV_DIR = Path(__file__).resolve().parent.parent / "checker" / "evaluation" / "dev"


def texts() -> dict[str, str]:
    from bench.corpus import corpus, pool_prompts
    from checker.evaluation import peer_cases
    from checker.evaluation.corpus import generate
    from checker.evaluation.freeform import load as freeform
    from checker.evaluation.handwritten import handwritten

    out: dict[str, str] = {}
    for seed in (7, 11):
        for i, sample in enumerate(generate(seed)):
            out[f"generated{seed}:{i}"] = sample.text
    for i, sample in enumerate(freeform()):
        out[f"freeform:{i}"] = sample.text
    for i, sample in enumerate(handwritten()):
        out[f"handwritten:{i}"] = sample.text
    if peer_cases.available():
        for i, unit in enumerate(peer_cases.load_units()):
            out[f"peer:{i}"] = unit.text
    for path in sorted(DEV_DIR.glob("*.txt")):
        text = path.read_text("utf-8")
        out[f"dev:{path.stem}"] = text
        for i, paragraph in enumerate(text.split("\n\n")):
            out[f"dev:{path.stem}:{i}"] = paragraph
    sizes = {"0.2KB": 60, "2KB": 40, "20KB": 6, "200KB": 1}
    for label, prompts in corpus(sizes).items():
        for i, text in enumerate(prompts):
            out[f"bench{label}:{i}"] = text
    for pool, prompts in pool_prompts(2000, 10).items():
        for i, text in enumerate(prompts):
            out[f"pool-{pool}:{i}"] = text
    # A phone number after more candidates than phonenumbers' matcher tries (65,535).
    out["phone-after-dates"] = "03.04.1985 " * 20000 + "Tel. +49 30 12345678"
    out["phone-after-order-numbers"] = "Best.-Nr. 4711-2023-0815, " * 3000 + "Tel. 030 1234567"
    return out


def multipart(single: dict[str, str]) -> list[list[str]]:
    """Requests of several parts, values split at the seams."""
    free = [single[k] for k in sorted(single) if k.startswith("freeform:")][:40]
    pairs = zip(free[::2], free[1::2], strict=False)
    return [[a, b, "DE89 3704", "0044 0532 0130 00"] for a, b in pairs]


def _rows(findings: Sequence[Any]) -> list[list[Any]]:
    return [
        [
            f.entity_type,
            f.data_class,
            f.part,
            f.start,
            f.end,
            round(f.score, 6),
            hashlib.sha256(f.value.encode()).hexdigest()[:12],
            json.dumps(f.explanation, sort_keys=True, default=str),
            list(f.split_across),
        ]
        for f in findings
    ]


def requests() -> dict[str, list[str]]:
    """Every request of the comparison: each text alone, and the multi-part ones."""
    single = texts()
    out = {key: [text] for key, text in single.items()}
    out.update({f"multi:{i}": parts for i, parts in enumerate(multipart(single))})
    return out


def prefilter_check(every: int = 1) -> dict[str, Any]:
    """The bench's identical-findings check: the scanner (prefilter on, what the gateway
    runs) and a full analysis of every character find the same on every `every`-th
    request of the corpora. {"requests", "differ", "examples" (keys, no values)}."""
    logging.disable(logging.WARNING)
    from checker.config import ScanConfig
    from checker.scan import Scanner
    from policy.loader import load_policy

    try:
        config = ScanConfig.from_policy(load_policy().policy)
        scanner = Scanner(config)
        full = Scanner(replace(config, prefilter=False), scanner.analyzer)
        chosen = list(requests().items())[::every]
        differ = [k for k, parts in chosen if _rows(scanner.scan(parts)) != _rows(full.scan(parts))]
    finally:
        logging.disable(logging.NOTSET)
    return {"requests": len(chosen), "differ": len(differ), "examples": differ[:10]}


def dump(out_path: Path, full: bool) -> None:
    logging.disable(logging.WARNING)
    from checker.config import ScanConfig
    from checker.scan import Scanner
    from policy.loader import load_policy

    config = ScanConfig.from_policy(load_policy().policy)
    scanner = Scanner(config)
    full_scanner = Scanner(replace(config, prefilter=False), scanner.analyzer) if full else None
    everything = requests()
    result: dict[str, list[list[Any]]] = {}
    mismatches = 0
    started = time.process_time()
    for key, parts in everything.items():
        result[key] = _rows(scanner.scan(parts))
    seconds = time.process_time() - started
    if full_scanner is not None:
        for key, parts in everything.items():
            if _rows(full_scanner.scan(parts)) != result[key]:
                mismatches += 1
                print(f"prefilter changes findings: {key}", file=sys.stderr)
    chars = sum(len(p) for parts in everything.values() for p in parts)
    print(
        f"{len(everything)} requests, {chars:,} characters, "
        f"{sum(len(v) for v in result.values())} findings, scan CPU {seconds:.1f} s",
        file=sys.stderr,
    )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=0, sort_keys=True), "utf-8")
    if mismatches:
        sys.exit(1)


def compare(before_path: Path, after_path: Path) -> int:
    before = json.loads(before_path.read_text("utf-8"))
    after = json.loads(after_path.read_text("utf-8"))
    differ = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    for key in differ[:20]:
        old = {tuple(map(str, r)) for r in before.get(key, [])}
        new = {tuple(map(str, r)) for r in after.get(key, [])}
        print(f"{key}: only before {sorted(old - new)}; only after {sorted(new - old)}")
    total = sum(len(v) for v in before.values())
    print(
        f"{len(before)} requests, {total} findings before; "
        f"{len(differ)} requests differ" + ("" if differ else ": identical")
    )
    return 1 if differ else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--full", action="store_true", help="also require prefilter-off = on")
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "dump":
        dump(args.out, args.full)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
