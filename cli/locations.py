"""Where the gateway's files are — one answer for every command.

The findings database (and its key file), the policy and mitmproxy's confdir are
named once, in the gateway's config file (`/etc/leitplanke/config.yaml`, or
`--config` / LEITPLANKE_CONFIG), and every command that needs one of them reads it
from there: `proxy`, `inventory`, `purge`, `report`, `review`, `export`, `reidentify`,
`notify`, `pac`, `ca`. Precedence, the same everywhere: flag > environment variable
(LEITPLANKE_DB, LEITPLANKE_POLICY, LEITPLANKE_CONFDIR) > config file > built-in
default. Relative paths in the config file are relative to its directory.

The options of cli/options.py fill their value here in a click callback, so each
command still receives a plain path. The config file is read once per invocation
(kept in the click context).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cli.errors import FileProblems
from cli.proxy_config import CONFIG_ENV, DEFAULT_CONFIG, ConfigError, ProxyConfig, load_config

DEFAULT_DB = "./leitplanke.db"
DEFAULT_CONFDIR = "~/.mitmproxy"
_META = "leitplanke.config"
_GIVEN = "leitplanke.config_given"


def remember_config(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Callback of a command's `--config` (eager): which config file the others read."""
    ctx.meta[_GIVEN] = value
    return value


def config_file_path(ctx: click.Context | None = None) -> Path | None:
    """The config file this invocation reads: --config, LEITPLANKE_CONFIG, else
    /etc/leitplanke/config.yaml if it exists; None without one."""
    given = ctx.meta.get(_GIVEN) if ctx is not None else None
    given = given or os.environ.get(CONFIG_ENV) or None
    if given:
        return Path(given)
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


def gateway_config(ctx: click.Context | None) -> ProxyConfig | None:
    """The parsed config file (None without one); its mistakes refuse the command,
    one located line each."""
    if ctx is not None and _META in ctx.meta:
        cached: ProxyConfig | None = ctx.meta[_META]
        return cached
    path = config_file_path(ctx)
    config = None
    if path is not None:
        try:
            config = load_config(path)
        except ConfigError as exc:
            raise FileProblems(str(path), exc.problems) from None
    if ctx is not None:
        ctx.meta[_META] = config
    return config


def configured(ctx: click.Context | None, key: str) -> Any:
    """A top-level key of the config file (policy, db, confdir, …), or None."""
    config = gateway_config(ctx)
    return config.values.get(key) if config is not None else None


def configured_option(ctx: click.Context | None, name: str) -> str | None:
    """The last value of `set: {name: …}` in the config file (e.g. leitplanke_key_file)."""
    config = gateway_config(ctx)
    if config is None:
        return None
    for entry in config.sets:
        if entry.key == name and entry.specs:
            return entry.specs[-1].split("=", 1)[1]
    return None


Callback = Callable[[click.Context, click.Parameter, Any], Any]


def fill(key: str, default: str | None = None) -> Callback:
    """A click callback: the flag's or environment variable's value, else the config
    file's `key`, else `default`."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None:
            return value
        found = configured(ctx, key)
        return found if found is not None else default

    return callback


def key_file_of(ctx: click.Context | None, db: str) -> str:
    """The findings key file: `set: leitplanke_key_file` of the config, else '<db>.key'."""
    from store.keys import default_key_path

    return configured_option(ctx, "leitplanke_key_file") or str(default_key_path(db))
