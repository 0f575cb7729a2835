"""The one way a command refuses: a ClickException whose message is one line on
stderr, `error: <what is wrong and what to do>`, and exit status 2.

A file with mistakes (a policy, a config file) gives one `error: file:line:column: …`
line per problem and a count, so every problem can be found in the file.
Parameter parsing (a wrong type, a value outside a Choice) stays click's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

import click

from policy.loader import LoadedPolicy, PolicyError, load_policy

EXIT_REFUSED = 2


class Refused(click.ClickException):
    exit_code = EXIT_REFUSED

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True, file=file)


class FileProblems(Refused):
    """Mistakes in a file, each located (`file:line:column: …`)."""

    def __init__(self, path: str, problems: Sequence[object]) -> None:
        super().__init__(f"{path}: {len(problems)} error(s)")
        self.problems = [str(problem) for problem in problems]

    def show(self, file: IO[Any] | None = None) -> None:
        for problem in self.problems:
            click.echo(f"error: {problem}", err=True, file=file)
        click.echo(self.format_message(), err=True, file=file)


def load_policy_or_refuse(path: str | None) -> LoadedPolicy:
    """The policy at `path` (None: the embedded default); FileProblems if it has mistakes."""
    try:
        return load_policy(path)
    except PolicyError as exc:
        raise FileProblems(path or "<embedded default policy>", exc.problems) from None
