"""The PolicyVersions addon: every policy version that becomes active gets a row in
`policy_versions` (decisions.policy_version refers to it), with when it was first
active, its file and its organization."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from mitmproxy import http

from proxy_addon.policy_source import PolicySource
from proxy_addon.recorder import Recorder

log = logging.getLogger(__name__)


class PolicyVersions:
    def __init__(self, source: PolicySource, recorder: Recorder) -> None:
        self.source = source
        self.recorder = recorder
        self.last: str | None = None  # version_id last handed to the writer
        self._tasks: set[asyncio.Task[Any]] = set()

    def running(self) -> None:
        self.check()

    def request(self, flow: http.HTTPFlow) -> None:
        self.check()  # hot reload switches versions between requests: one compare

    def check(self) -> None:
        """Write a row when the active version is not the one last written."""
        active = self.source.active
        store = self.recorder.store
        if active is None or store is None or active.loaded.version_id == self.last:
            return
        loaded = active.loaded
        self.last = loaded.version_id
        row = {
            "version_id": loaded.version_id,
            "first_seen": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "source": loaded.source,
            "organization": loaded.policy.organization,
            "retention_days": loaded.policy.privacy.retention_days,
        }
        task = asyncio.get_running_loop().create_task(
            self.recorder.write(store.record_policy_version, row)
        )
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._written(done, loaded.version_id))

    def _written(self, task: asyncio.Task[Any], version_id: str) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("leitplanke: could not record the policy version: %r", task.exception())
            if self.last == version_id:
                self.last = None  # try again with the next request

    async def flush(self) -> None:
        """Wait for pending writes (tests, shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
