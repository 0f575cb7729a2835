"""`leitplanke bench`: the performance harness (bench/), one run, side by side."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cli.options import json_option

SECTION_NAMES = ("checker", "gateway", "memory", "store")


def _sections(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
    if not value:
        return SECTION_NAMES
    chosen = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    unknown = [name for name in chosen if name not in SECTION_NAMES]
    if unknown or not chosen:
        raise click.BadParameter(
            f"unknown section(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {','.join(SECTION_NAMES)}"
        )
    return chosen


@click.command("bench")
@json_option("Print one JSON document on stdout (the table goes to stderr).")
@click.option(
    "--quick",
    is_flag=True,
    help="Short cells (a smoke test, about a minute and a half); numbers are rough.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the JSON document to FILE.",
)
@click.option(
    "--only",
    metavar="SECTIONS",
    callback=_sections,
    help="Comma-separated sections to run: checker,gateway,memory,store (default: all).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    help="Checker worker processes of the gateway under test (default: its own default, "
    "one per core less one; 0: a thread in the gateway process).",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the proxies' confdirs, logs and databases here (default: a temporary "
    "directory, removed afterwards).",
)
def bench_command(
    as_json: bool,
    quick: bool,
    out: Path | None,
    only: tuple[str, ...],
    workers: int | None,
    workdir: Path | None,
) -> None:
    """Measure the gateway against plain mitmdump, on this machine, in one run.

    Side by side on 127.0.0.1: a clean 2 KB chat-completions prompt over HTTPS through
    plain `mitmdump` and through `leitplanke proxy` (same settings, both mapped to a
    local fake upstream) at 1 and 20 concurrent connections; a prompt with an IBAN
    (the block path); a streamed answer of 200 SSE events (time to first byte);
    the memory of both proxies idle and under load; findings writes per second into
    SQLite with the review queries running; and the checker against Presidio's
    default analyzer, with the identical-findings check (prefilter vs full analysis on
    every evaluation corpus). Prints a table with every target, met or not.

    Run it on a quiet machine: other load changes the numbers. Exit status: 0 done,
    1 a proxy gave errors or wrong answers.
    """
    from bench.run import failures, render_table, run_bench

    def log(message: str) -> None:
        click.echo(f"[bench] {message}", err=True)

    results = run_bench(quick=quick, only=only, workdir=workdir, log=log, workers=workers)
    document = json.dumps(results, indent=2, ensure_ascii=False)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(document + "\n", "utf-8")
    click.echo(render_table(results), err=as_json)
    if as_json:
        click.echo(document)
    problems = failures(results)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    sys.exit(1 if problems else 0)
