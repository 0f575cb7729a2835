"""Fixtures: a real `leitplanke proxy` subprocess in front of a local fake upstream
(the helpers live in bench/proxies.py, shared with `leitplanke bench`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.fake_upstream import FakeUpstream
from bench.proxies import Gateway, start_gateway, stop_gateway


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeUpstream]:
    server = FakeUpstream().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, upstream: FakeUpstream) -> Iterator[Gateway]:
    gw = start_gateway(tmp_path_factory.mktemp("gateway"), upstream)
    yield gw
    stop_gateway(gw)
