"""`leitplanke eval`: detection quality on a generated, labeled corpus."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.command("eval")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.option(
    "--seed",
    default=7,
    show_default=True,
    type=int,
    help="Seed of the corpus generator; the same seed gives the same texts.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    metavar="FILE",
    help="Also write the corpus summary and the table as Markdown to FILE.",
)
@click.option(
    "--corpus",
    type=click.Choice(["generated", "handwritten"]),
    default="generated",
    show_default=True,
    help="generated: the seeded corpus; handwritten: ~40 texts written independently of "
    "the generator and the recognizers (checker/evaluation/handwritten.txt).",
)
@click.option(
    "--targets",
    is_flag=True,
    help="Exit 1 unless Leitplanke meets the targets: micro F2 >= 0.90, recall >= 0.85 "
    "for every entity type in the corpus, <= 2 false positives per 10k clean words.",
)
def eval_command(as_json: bool, seed: int, output: str | None, corpus: str, targets: bool) -> None:
    """Measure detection quality: Leitplanke vs. Presidio's default analyzer.

    Generates a labeled corpus (seeded, offline, about 500 texts: support e-mails,
    HR notes, invoices, CRM exports, code with credentials, doctor's and sick notes,
    chat prompts — three quarters German — plus clean business texts full of order
    numbers, dates, amounts and versions) and runs it, in the same run, through
    Leitplanke's scanner with the embedded default policy and through Presidio's
    default AnalyzerEngine (predefined English recognizers, blank spaCy pipeline).

    A prediction is a hit when it has the gold span's entity type and covers at
    least half of the gold span; each gold span is matched once. The table shows
    per entity type support, precision, recall and F2 (recall weighs twice), the
    micro average, and false positives per 10,000 words of the clean texts.
    Presidio's entity names are mapped onto ours where they mean the same thing;
    its other predictions are ignored. All values are fictitious; check digits
    (IBAN, Luhn, Steuer-IdNr, USt-IdNr, …) are valid.
    Exit status: 0 done, 1 with --targets when a target is missed.
    """
    from checker.evaluation.handwritten import handwritten
    from checker.evaluation.run import evaluate, render_summary, to_json

    result = evaluate(seed=seed, samples=handwritten() if corpus == "handwritten" else None)
    summary = render_summary(result)
    if as_json:
        click.echo(json.dumps(to_json(result), indent=2, ensure_ascii=False))
    else:
        click.echo(summary)
    if output:
        Path(output).write_text(summary + "\n", encoding="utf-8")
    if targets:
        missed = result.leitplanke.missed_targets()
        for line in missed:
            click.echo(f"target missed: {line}", err=True)
        if missed:
            sys.exit(1)
