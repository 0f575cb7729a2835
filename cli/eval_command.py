"""`leitplanke eval`: detection quality on labeled corpora (generated and hand-written)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cli.options import json_option


@click.command("eval")
@json_option("Print the full result as JSON.")
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
    type=click.Choice(["generated", "freeform", "handwritten"]),
    default="generated",
    show_default=True,
    help="generated: the seeded corpus, followed by the generalization report; freeform: "
    "the ~420 hand-written free-form prompts alone (checker/evaluation/prompts/); "
    "handwritten: ~40 early hand-written texts (checker/evaluation/handwritten.txt).",
)
@click.option(
    "--peers/--no-peers",
    default=True,
    show_default=True,
    help="Also run the peer suite: Presidio's recognizer tests and python-stdnum's "
    "test numbers (tests/peers/, source checkout only).",
)
@click.option(
    "--targets",
    is_flag=True,
    help="Exit 1 unless Leitplanke meets the targets: on the corpus, micro F2 >= 0.90, "
    "recall >= 0.85 for every entity type, <= 2 false positives per 10k clean words; "
    "with the generated corpus also issue 15's targets on the held-out families and the "
    "free-form corpus (micro F2 >= 0.93, recall >= 0.85 per type, PERSON P >= 0.95 and "
    "R >= 0.90, <= 3 false findings per 10k clean words, <= 2 % of clean and >= 98 % of "
    "labelled texts flagged); peer suite: >= 95% of each peer's non-debatable positives "
    "found, >= 99% of its negatives clean.",
)
def eval_command(
    as_json: bool, seed: int, output: str | None, corpus: str, peers: bool, targets: bool
) -> None:
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

    With the generated corpus, a generalization report follows: Leitplanke on the
    template families tuned on, on the families held out of tuning, and on the
    hand-written free-form prompts — micro F2, precision and recall per entity
    type, the share of texts with personal data and of clean texts that get a
    finding (per language), false findings per 10k clean words, and issue 15's
    targets met or missed.

    The peer suite runs Leitplanke on other projects' own test tables (Presidio's
    recognizer tests, python-stdnum's test numbers in short German texts) and
    prints per source and type the positives found, the negatives clean, and the
    debatable cases with the choice made (docs/evaluation.md).
    Exit status: 0 done, 1 with --targets when a target is missed.
    """
    from checker.evaluation.freeform import load as load_freeform
    from checker.evaluation.generalization import generalization
    from checker.evaluation.handwritten import handwritten
    from checker.evaluation.peers import peer_section
    from checker.evaluation.run import evaluate, missed_targets, render_summary, to_json
    from checker.evaluation.samples import Sample

    samples: list[Sample] | None = None
    if corpus == "handwritten":
        samples = handwritten()
    elif corpus == "freeform":
        samples = list(load_freeform())
    result = evaluate(seed=seed, samples=samples)
    if corpus == "generated":
        result.sections.append(generalization(result))
    if peers:
        section = peer_section()
        if section is None:
            click.echo("peer suite: no test data (tests/peers/ is in source checkouts)", err=True)
        else:
            result.sections.append(section)
    summary = render_summary(result)
    if as_json:
        click.echo(json.dumps(to_json(result), indent=2, ensure_ascii=False))
    else:
        click.echo(summary)
    if output:
        Path(output).write_text(summary + "\n", encoding="utf-8")
    if targets:
        missed = missed_targets(result)
        for line in missed:
            click.echo(f"target missed: {line}", err=True)
        if missed:
            sys.exit(1)
