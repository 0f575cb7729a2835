"""The PolicySource addon: the active policy and the checker pool that scans for it.

Loads the policy named by `leitplanke_policy` (or the embedded default), watches
the file and switches to a changed version atomically once it validates; an
invalid edit is logged with its file:line problems and the last good policy stays.
Whether the last reload (file watch or SIGHUP, proxy_addon/reload.py) was rejected is
kept in `status`: /healthz shows it as "degraded", /metrics as a gauge and a counter.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass, field

from mitmproxy import ctx, exceptions

from checker.config import ScanConfig
from checker.pool import ScanPool
from pipeline.evaluation import Active
from policy.loader import LoadedPolicy, PolicyError, ProblemsError, load_policy
from proxy_addon import option_values
from proxy_addon.option_values import check_range

log = logging.getLogger(__name__)

# Each worker is a process with its own NLP models in memory: a mistyped count (40 for
# 4) should be refused rather than exhaust the host's memory.
MAX_WORKERS = 256


def _file_state(path: str | None) -> tuple[int, int] | None:
    if not path:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


@dataclass
class ReloadStatus:
    """The outcome of the last reload attempt (policy file watch, SIGHUP)."""

    ok: bool = True
    reason: str = ""  # one line: the first problem, naming its file or option
    trigger: str = ""  # "file" (hot reload) or "signal" (SIGHUP, systemctl reload)
    last_success: float = field(default_factory=time.time)  # start counts as one
    failures: dict[str, int] = field(default_factory=dict)  # by trigger

    def failed(self, trigger: str, reason: str) -> None:
        self.ok, self.reason, self.trigger = False, reason, trigger
        self.failures[trigger] = self.failures.get(trigger, 0) + 1

    def succeeded(self, trigger: str) -> None:
        self.ok, self.reason, self.trigger = True, "", trigger
        self.last_success = time.time()


def first_problem(exc: ProblemsError) -> str:
    """One line for the log and /healthz: the first problem, and how many follow."""
    problems = [str(p) for p in exc.problems] or [str(exc)]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return problems[0].splitlines()[0] + more


def default_workers() -> int:
    """One checker process per core, leaving one core to mitmproxy's event loop."""
    return min(MAX_WORKERS, max(1, (os.cpu_count() or 2) - 1))


class PolicySource:
    def __init__(self) -> None:
        self.active: Active | None = None
        self._seen: tuple[int, int] | None = None  # file state last loaded or rejected
        self._watch: asyncio.Task[None] | None = None
        self.status = ReloadStatus()

    def load(self, loader: object) -> None:
        add = loader.add_option  # type: ignore[attr-defined]
        add("leitplanke_policy", str, "", "Policy YAML file; empty: the embedded default policy.")
        add(
            "leitplanke_workers",
            int,
            default_workers(),
            "Checker worker processes (default: one per core, less the one mitmproxy's "
            "event loop uses); 0 runs the checker in one thread of the proxy process.",
        )
        add(
            "leitplanke_policy_reload_s",
            int,
            2,
            "Check the policy file for changes every N seconds; 0 turns hot reload off.",
        )

    def configure(self, updated: set[str]) -> None:
        opts = ctx.options
        check_range(
            "leitplanke_workers", 0, MAX_WORKERS, "0 checks in a thread of the proxy process"
        )
        check_range("leitplanke_policy_reload_s", 0, 24 * 3600, "0 turns hot reload off")
        if not option_values.settled():
            return
        if updated & {"leitplanke_policy", "leitplanke_workers"} or self.active is None:
            path = opts.leitplanke_policy or None
            try:
                loaded = load_policy(path)
            except PolicyError as exc:
                # mitmproxy rejects the option change: the last good policy stays.
                raise exceptions.OptionsError(f"invalid policy:\n{exc}") from exc
            self._seen = _file_state(path)
            # A new worker count needs new workers; same detection rules keep them.
            self._activate(loaded, new_pool="leitplanke_workers" in updated)

    def _activate(self, loaded: LoadedPolicy, new_pool: bool) -> None:
        old = self.active
        config = ScanConfig.from_policy(loaded.policy)
        if new_pool or old is None or old.pool.config != config:
            pool = ScanPool(config, ctx.options.leitplanke_workers)
        else:
            pool = old.pool  # same detection rules: keep the warm workers
        self.active = Active(loaded, pool)  # the atomic switch
        if old is not None and old.pool is not pool:
            old.pool.close(wait_for_running=True)
            if self._watch is not None:  # already running: warm the new pool now
                self._warm(pool)
        log.info("leitplanke: policy %s (version %s)", loaded.source, loaded.version_id)

    def running(self) -> None:
        if self.active is not None:
            self._warm(self.active.pool)
        self._watch = asyncio.get_running_loop().create_task(self._watch_file())

    def _warm(self, pool: ScanPool) -> None:
        started = time.monotonic()

        def warm() -> None:
            try:
                pool.warm_up()
            except Exception as exc:  # requests will fail closed; say why, once
                log.error("leitplanke: checker failed to start: %r", exc)
                return
            log.info("leitplanke: checker ready in %.1f s", time.monotonic() - started)

        asyncio.get_running_loop().run_in_executor(None, warm)

    async def _watch_file(self) -> None:
        while True:
            interval = ctx.options.leitplanke_policy_reload_s
            await asyncio.sleep(interval or 5)
            if interval:
                self.reload_if_changed()

    def reload_if_changed(self) -> bool:
        """Reload when the file changed since it was last seen; True if switched."""
        path = ctx.options.leitplanke_policy or None
        state = _file_state(path)
        if path is None or state is None or state == self._seen:
            return False
        self._seen = state
        try:
            loaded = load_policy(path)
        except PolicyError as exc:
            reason = first_problem(exc)
            self.status.failed("file", reason)
            log.error("leitplanke: policy change rejected, keeping the last good one: %s", reason)
            return False
        self.status.succeeded("file")
        if self.active is not None and loaded.version_id == self.active.loaded.version_id:
            return False
        self._activate(loaded, new_pool=False)
        return True

    def reload_now(self) -> LoadedPolicy:
        """Read the policy file again whatever its timestamp says (SIGHUP); raises
        PolicyError and keeps the active policy when the file has a mistake."""
        path = ctx.options.leitplanke_policy or None
        self._seen = _file_state(path)
        loaded = load_policy(path)
        if self.active is None or loaded.version_id != self.active.loaded.version_id:
            self._activate(loaded, new_pool=False)
        return loaded

    def done(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
        if self.active is not None:
            self.active.pool.close()
