"""`leitplanke proxy`: mitmdump with the Leitplanke addons and safe defaults."""

from __future__ import annotations

import copy
import io
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from mitmproxy import options
from mitmproxy.tools import cmdline
from mitmproxy.tools.dump import DumpMaster
from mitmproxy.tools.main import run

from cli.log_format import use_log_format
from cli.proxy_config import SetEntry, check_cli_sets, check_options, unread_env_vars
from proxy_addon import option_values
from proxy_addon.leitplanke_addon import make_addons
from proxy_addon.reload import Reread
from proxy_addon.unknown_options import PREFIX, unknown_options_error

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunSettings:
    """What `leitplanke proxy` hands the master besides the mitmdump command line."""

    log_format: str = "auto"
    notes: tuple[str, ...] = ()  # logged once logging is set up (config file, overrides)
    file_sets: tuple[SetEntry, ...] = ()  # the config file's `set:` entries, to check
    cli_sets: tuple[str, ...] = ()  # the command line's --set values, to check
    env_read: tuple[str, ...] = ()  # the LEITPLANKE_* variables the command reads
    # SIGHUP: every option as KEY=VALUE from the config file read again (flags and
    # environment variables still win), and the specs the gateway started with.
    reread: Reread | None = None
    initial: tuple[str, ...] = ()


class LeitplankeMaster(DumpMaster):
    """DumpMaster with our addons registered up front, so `leitplanke_*` options
    exist before the command line is applied."""

    settings: ClassVar[RunSettings] = RunSettings()
    started: ClassVar[bool] = False  # run() began: later exits are not option refusals

    def __init__(self, opts: options.Options, **kwargs: Any) -> None:
        super().__init__(opts, **kwargs)
        termlog = self.addons.get("termlog")  # before our addons: they log when loaded
        if termlog is not None:
            use_log_format(termlog.logger, self.settings.log_format, termlog.logger.file)
        # Our addons act on their options only once mitmproxy has applied the command
        # line (proxy_addon/option_values.py): no ./leitplanke.db, no default policy first.
        option_values.hold()
        try:
            self.addons.add(*make_addons())
        finally:
            option_values.release()
        opts.errored.connect(self._option_refused)
        reload = self.addons.get("reload")
        if reload is not None:
            reload.reread, reload.previous = self.settings.reread, self.settings.initial
        for note in self.settings.notes:
            log.info(note)
        # Every option exists now: a config file's unknown or malformed `set:` entry is
        # an error with its file:line (mitmproxy would silently defer an unknown one).
        try_set = _try_set(opts)
        problems = check_options(self.settings.file_sets, opts.keys(), try_set)
        if problems:
            log.error("leitplanke: invalid config:\n%s", "\n".join(map(str, problems)))
            sys.exit(2)
        # The same for the command line, and for environment variables named like an
        # option: mitmproxy would ignore an unknown --set, the CLI such a variable.
        mistakes = check_cli_sets(self.settings.cli_sets, opts.keys(), try_set)
        mistakes += unread_env_vars(os.environ, self.settings.env_read, opts.keys())
        if mistakes:
            for line in mistakes:
                log.error("leitplanke: %s", line)
            sys.exit(2)

    def _option_refused(self, exc: Exception) -> None:
        # Before the start a refused value ends the process; mitmproxy's rollback to
        # the defaults must not open files or load policies for them meanwhile.
        if not type(self).started:
            option_values.refuse()

    async def run(self) -> None:
        type(self).started = True
        # Options from anywhere else (mitmproxy's own confdir/config.yaml) that no addon
        # declared: refuse them too, before any server starts. With extra scripts
        # (`--set scripts=…`) only ours, as a script declares its options once loaded.
        deferred = set(self.options.deferred)
        if self.options.scripts:
            deferred = {name for name in deferred if name.startswith(PREFIX)}
        if deferred:
            log.error("leitplanke: %s", unknown_options_error(deferred, self.options.keys()))
            sys.exit(2)
        await super().run()


def _try_set(opts: options.Options) -> Callable[[tuple[str, ...]], str | None]:
    probe = copy.deepcopy(opts)  # no subscribers: nothing is configured

    def try_set(specs: tuple[str, ...]) -> str | None:
        try:
            probe.set(*specs)
        except Exception as exc:  # OptionsError, or TypeError from the type check
            return str(exc)
        return None

    return try_set


def option_specs(
    *,
    policy: str | None,
    db: str,
    confdir: str | None,
    sets: tuple[str, ...],
) -> tuple[str, ...]:
    """Every option our flags and defaults set, as `KEY=VALUE` (mitmproxy's --set).

    Our defaults yield to a user's explicit --set of the same option (mitmproxy
    rejects two values for a scalar option).
    """
    defaults = {
        "connection_strategy": "lazy",  # nothing connects upstream before a decision
        # mitmdump prints every URL by default; URLs can carry personal data in query
        # strings, so the gateway logs only its own decision lines (no values).
        "flow_detail": "0",
        "leitplanke_db": db,
    }
    if policy:
        defaults["leitplanke_policy"] = policy
    if confdir:
        defaults["confdir"] = confdir
    user_keys = {spec.split("=", 1)[0] for spec in sets}
    own = tuple(f"{key}={value}" for key, value in defaults.items() if key not in user_keys)
    return own + tuple(sets)


def mitmdump_args(
    *,
    policy: str | None,
    db: str,
    listen_host: str,
    listen_port: int,
    confdir: str | None,
    sets: tuple[str, ...],
) -> list[str]:
    """The mitmdump command line for our flags.

    Every --set value goes to mitmproxy in one `options.set(*values)` call (as
    mitmdump does), so repeated sequence options such as two map_remote rules all
    survive.
    """
    args = ["--listen-host", listen_host, "--listen-port", str(listen_port)]
    for spec in option_specs(policy=policy, db=db, confdir=confdir, sets=sets):
        args += ["--set", spec]
    return args


def run_proxy(args: list[str], settings: RunSettings | None = None) -> None:
    if isinstance(sys.stdout, io.TextIOWrapper):
        # stdout is a pipe or socket under systemd and Docker, where Python would buffer
        # log lines in 8 KiB blocks; a log line should arrive when it is written.
        sys.stdout.reconfigure(line_buffering=True)

    class Master(LeitplankeMaster):
        pass

    Master.settings = settings or RunSettings()
    sys.argv[0] = "leitplanke"  # mitmproxy starts its option errors with argv[0]
    try:
        run(Master, cmdline.mitmdump, args)
    except SystemExit as exc:
        # Before run() mitmproxy exits 1 only when it refuses an option value (an
        # addon's configure() raised OptionsError); that is a refusal of the command
        # line, as click's and ours are: exit 2.
        if exc.code == 1 and not Master.started:
            raise SystemExit(2) from None
        raise
