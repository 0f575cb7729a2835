"""The local upstreams for `leitplanke bench`, in a subprocess of their own.

`python -m bench.upstreams` starts a FakeUpstream (short JSON answers) and an
EchoUpstream (the prompt streamed back as one SSE event per character) on free
loopback ports, prints `{"fake": PORT, "echo": PORT}` as one line and serves until
its stdin closes. A process of its own, so the upstream's threads do not compete
with the load generator for the benchmark process's GIL.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from dataclasses import dataclass
from types import TracebackType

from bench.echo_upstream import EchoUpstream
from bench.fake_upstream import FakeUpstream


@dataclass(frozen=True)
class Listening:
    """An upstream somewhere else, known by its loopback port."""

    port: int


class Upstreams:
    """Context manager: the upstream subprocess, stopped on exit."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.fake = Listening(0)
        self.echo = Listening(0)

    def __enter__(self) -> Upstreams:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.upstreams"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        try:
            ports = json.loads(self.process.stdout.readline())
        except ValueError:
            self.stop()
            raise RuntimeError("the bench upstreams did not start") from None
        self.fake, self.echo = Listening(int(ports["fake"])), Listening(int(ports["echo"]))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        try:
            if process.stdin is not None:
                process.stdin.close()  # the child's signal to stop
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        finally:
            if process.stdout is not None:
                process.stdout.close()


def main() -> None:
    fake, echo = FakeUpstream().start(), EchoUpstream().start()
    stop = threading.Event()

    def wait_for_eof() -> None:
        sys.stdin.read()
        stop.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    print(json.dumps({"fake": fake.port, "echo": echo.port}), flush=True)
    try:
        while not stop.wait(1.0):
            with fake._lock:  # a benchmark sends tens of thousands: keep no bodies
                fake.requests.clear()
            echo.received.clear()
    finally:
        fake.stop()
        echo.stop()


if __name__ == "__main__":
    main()
