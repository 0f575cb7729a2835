"""Options several commands share, as decorators (like sqlite-utils' CLI): one place for
each option's name, type and default; each command words the help for its use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DB = "./leitplanke.db"


def db_option(
    help: str = "Findings database (SQLite), as the gateway's --db.", **extra: Any
) -> Callable[[F], F]:
    return click.option(
        "--db",
        default=DEFAULT_DB,
        show_default=True,
        type=click.Path(dir_okay=False),
        help=help,
        **extra,
    )


def policy_option(
    help: str = "Policy YAML file (default: the embedded default policy).",
    *,
    exists: bool = False,
    **extra: Any,
) -> Callable[[F], F]:
    return click.option(
        "--policy", type=click.Path(exists=exists, dir_okay=False), help=help, **extra
    )


def json_option(help: str) -> Callable[[F], F]:
    return click.option("--json", "as_json", is_flag=True, help=help)


def output_option(
    help: str = "Write to FILE; - is standard output.",
    *,
    default: str | None = "-",
    short: bool = False,
    **extra: Any,
) -> Callable[[F], F]:
    names = ("-o", "--output") if short else ("--output",)
    return click.option(
        *names,
        metavar="FILE",
        default=default,
        show_default=default is not None,
        help=help,
        **extra,
    )


def lang_option(help: str, default: str | None = "de") -> Callable[[F], F]:
    return click.option(
        "--lang",
        type=click.Choice(["de", "en"]),
        default=default,
        show_default=default is not None,
        help=help,
    )


def min_users_option(default: int, help: str) -> Callable[[F], F]:
    return click.option(
        "--min-users", type=click.IntRange(min=1), default=default, show_default=True, help=help
    )


def privacy_threshold_option(default: int, help: str) -> Callable[[F], F]:
    return click.option(
        "--privacy-threshold",
        type=click.IntRange(min=1),
        default=default,
        show_default=True,
        help=help,
    )
