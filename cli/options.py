"""Options several commands share, as decorators (like sqlite-utils' CLI): one place for
each option's name, type and default; each command words the help for its use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from cli.locations import DEFAULT_CONFDIR, DEFAULT_DB, fill, remember_config

F = TypeVar("F", bound=Callable[..., Any])

FROM_CONFIG = " Default: the gateway's config file (--config), else {default}."


def config_option() -> Callable[[F], F]:
    """`--config`: the gateway's config file, where the other options' defaults come
    from (cli/locations.py)."""
    return click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False),
        envvar="LEITPLANKE_CONFIG",
        show_envvar=True,
        is_eager=True,
        expose_value=False,
        callback=remember_config,
        help="The gateway's config file; db, policy and confdir default to what it says "
        "(default: /etc/leitplanke/config.yaml if it exists).",
    )


def db_option(
    help: str = "Findings database (SQLite), as the gateway's --db.",
    *,
    from_config: bool = True,
    **extra: Any,
) -> Callable[[F], F]:
    if not from_config:  # `leitplanke proxy` merges its config file itself
        return click.option(
            "--db",
            default=DEFAULT_DB,
            show_default=True,
            type=click.Path(dir_okay=False),
            help=help,
            **extra,
        )
    return click.option(
        "--db",
        type=click.Path(dir_okay=False),
        envvar="LEITPLANKE_DB",
        show_envvar=True,
        callback=fill("db", DEFAULT_DB),
        help=help + FROM_CONFIG.format(default=DEFAULT_DB),
        **extra,
    )


def policy_option(
    help: str = "Policy YAML file (default: the embedded default policy).",
    *,
    exists: bool = False,
    from_config: bool = True,
    **extra: Any,
) -> Callable[[F], F]:
    if not from_config:
        return click.option(
            "--policy", type=click.Path(exists=exists, dir_okay=False), help=help, **extra
        )
    return click.option(
        "--policy",
        type=click.Path(exists=exists, dir_okay=False),
        envvar="LEITPLANKE_POLICY",
        show_envvar=True,
        callback=fill("policy"),
        help=help + " The gateway's config file names the active one.",
        **extra,
    )


def confdir_option(help: str) -> Callable[[F], F]:
    return click.option(
        "--confdir",
        metavar="DIR",
        type=click.Path(file_okay=False),
        envvar="LEITPLANKE_CONFDIR",
        show_envvar=True,
        callback=fill("confdir", DEFAULT_CONFDIR),
        help=help + FROM_CONFIG.format(default=DEFAULT_CONFDIR),
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
