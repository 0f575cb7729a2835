"""The Reload addon: SIGHUP (`systemctl reload leitplanke`) reads the policy and the
config file again, without a restart and without dropping a connection.

mitmproxy installs handlers for SIGINT and SIGTERM only; an unhandled SIGHUP would
end the process at once (no `done` hooks: the checker's workers, its forkserver and
the resource tracker would be left behind). Here SIGHUP reloads instead:

1. the config file (when `leitplanke proxy` runs with one: `reread`, set by
   cli/proxy.py, returns every option as the command line would give it now — flags
   and environment variables still win); changed options are applied in one update,
   which mitmproxy rolls back as a whole when an addon refuses a value;
2. the policy file, whatever its timestamp (a reload also re-reads an unchanged file).

A refused reload keeps the last good policy and options, and is visible: one log
line, `/healthz` "degraded" with the reason, the gauge
`leitplanke_config_last_reload_successful` 0 (proxy_addon/metrics.py).
"""

from __future__ import annotations

import asyncio
import copy
import logging
import signal
from collections.abc import Callable
from typing import Any

from mitmproxy import ctx, exceptions

from policy.loader import ProblemsError
from proxy_addon.policy_source import PolicySource, first_problem

log = logging.getLogger(__name__)

Reread = Callable[[], tuple[tuple[str, ...], str]]
"""Returns (every option as KEY=VALUE, where they came from) or raises ProblemsError."""


def changed_options(specs: tuple[str, ...], previous: tuple[str, ...]) -> dict[str, Any]:
    """The options whose value `specs` changes: parsed as mitmproxy parses `--set` (on
    a copy, so nothing is configured); a key `previous` gave and `specs` no longer
    does goes back to its default."""
    current = ctx.options
    probe = copy.deepcopy(current)
    gone = {s.split("=", 1)[0] for s in previous} - {s.split("=", 1)[0] for s in specs}
    for key in gone:
        if key in probe:
            probe._options[key].reset()
    probe.set(*specs)
    names = probe.keys()  # an OptManager: not iterable itself
    return {
        key: getattr(probe, key) for key in names if getattr(probe, key) != getattr(current, key)
    }


def one_line(text: str) -> str:
    lines = [line for line in str(text).splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].rstrip().endswith(":"):  # "invalid policy:\n<problems>"
        return lines[1].strip() + (f" (and {len(lines) - 2} more)" if len(lines) > 2 else "")
    return lines[0] if lines else "unknown error"


class Reload:
    def __init__(self, source: PolicySource) -> None:
        self.source = source
        self.reread: Reread | None = None
        self.previous: tuple[str, ...] = ()  # the specs the options were last set from
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    def running(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGHUP, self._signalled)
        except (NotImplementedError, AttributeError, RuntimeError):  # no SIGHUP (Windows)
            return
        self._loop = loop

    def _signalled(self) -> None:
        log.info("leitplanke: SIGHUP: reloading the policy and the config")
        self._task = asyncio.get_running_loop().create_task(self._reload())

    async def _reload(self) -> None:
        self.reload("signal")

    def reload(self, trigger: str = "signal") -> bool:
        """Re-read the config (if any) and the policy; True when both were accepted."""
        try:
            changed = self._apply_config()
            loaded = self.source.reload_now()
        except ProblemsError as exc:  # the config file or the policy file
            return self._failed(trigger, first_problem(exc))
        except exceptions.OptionsError as exc:  # an addon refused a value
            return self._failed(trigger, one_line(str(exc)))
        except (OSError, ValueError) as exc:
            return self._failed(trigger, one_line(str(exc)))
        self.source.status.succeeded(trigger)
        options = f", {len(changed)} option(s) changed" if changed else ""
        log.info(
            "leitplanke: reloaded: policy %s (version %s)%s",
            loaded.source,
            loaded.version_id,
            options,
        )
        return True

    def _apply_config(self) -> dict[str, Any]:
        if self.reread is None:
            return {}
        specs, _ = self.reread()
        changed = changed_options(specs, self.previous)
        if changed:
            ctx.options.update(**changed)  # rolled back as a whole if refused
        self.previous = specs
        return changed

    def _failed(self, trigger: str, reason: str) -> bool:
        self.source.status.failed(trigger, reason)
        log.error(
            "leitplanke: reload rejected, keeping the last good policy and options: %s", reason
        )
        return False

    def done(self) -> None:
        if self._loop is not None:
            self._loop.remove_signal_handler(signal.SIGHUP)
            self._loop = None
        if self._task is not None:
            self._task.cancel()
