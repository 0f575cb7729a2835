"""Memory of a process and its descendants (checker workers), read from /proc.

RSS counts pages shared between the processes (forked checker workers share the
parent's pages) once per process: an upper bound. PSS divides shared pages among
their users: the sum is what the process tree really costs. Linux only.
"""

from __future__ import annotations

import contextlib
import threading
import time
from pathlib import Path
from types import TracebackType

PROC = Path("/proc")


def children_map() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc/*/stat (task/*/children needs a kernel
    option that not every kernel has)."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    return children


def process_tree(pid: int) -> list[int]:
    """pid and all its descendants."""
    children = children_map()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def _field_kib(text: str, name: str) -> int:
    for line in text.splitlines():
        if line.startswith(name):
            return int(line.split()[1])
    return 0


def tree_memory_kib(pid: int) -> dict[str, int]:
    """{"rss_kib", "pss_kib", "processes"} summed over pid and its descendants."""
    rss = pss = count = 0
    for current in process_tree(pid):
        try:
            status = (PROC / str(current) / "status").read_text()
        except OSError:
            continue  # gone meanwhile
        count += 1
        rss += _field_kib(status, "VmRSS:")
        with contextlib.suppress(OSError):  # smaps_rollup: Linux >= 4.14
            pss += _field_kib((PROC / str(current) / "smaps_rollup").read_text(), "Pss:")
    return {"rss_kib": rss, "pss_kib": pss, "processes": count}


def rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants."""
    return tree_memory_kib(pid)["rss_kib"]


def mib(kib: int) -> float:
    return round(kib / 1024, 1)


class PeakSampler:
    """Samples a process tree's memory every `interval` seconds in a thread while
    in its `with` block; `peak` holds the highest RSS and PSS seen."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = {"rss_kib": 0, "pss_kib": 0, "processes": 0}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def sample(self) -> None:
        now = tree_memory_kib(self.pid)
        self.samples += 1
        for key, value in now.items():
            self.peak[key] = max(self.peak[key], value)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()


def idle_memory(pid: int, samples: int = 5, interval: float = 0.2) -> dict[str, float | int]:
    """The highest of a few samples of an idle process tree, in MiB."""
    sampler = PeakSampler(pid, interval)
    for n in range(samples):
        if n:
            time.sleep(interval)
        sampler.sample()
    return as_mib(sampler.peak)


def as_mib(kib: dict[str, int]) -> dict[str, float | int]:
    return {
        "rss_mib": mib(kib["rss_kib"]),
        "pss_mib": mib(kib["pss_kib"]),
        "processes": kib["processes"],
    }
