"""The adversarial suite: every case of every `cases_*.py` module through a real
`leitplanke proxy` to a recording upstream (case format and leak check: harness.py).

One gateway per `Case.gateway` name for the whole run, started when its first case
runs; every AI host is mapped to the one recording upstream, so a case may address any
catalog host (api.openai.com, generativelanguage.googleapis.com, chatgpt.com, …).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import tests.adversarial as package
from bench.proxies import Gateway, start_gateway, stop_gateway
from tests.adversarial.harness import Case, Client, httpx, leaks, received, verify
from tests.adversarial.recording_upstream import RecordingUpstream

pytestmark = pytest.mark.e2e

REDACT_POLICY = """\
version: 1
organization: Muster GmbH
contact: datenschutz@muster.example
data_classes:
  personal: {entities: [IBAN_CODE, EMAIL_ADDRESS, CREDIT_CARD]}
on_violation: {personal: redact}
"""

# How each gateway a case may name is started: extra `leitplanke proxy` arguments,
# given the directory it runs in (for policy files).
GATEWAYS = {
    "default": lambda tmp: [],
    "redact": lambda tmp: ["--policy", str(_write(tmp / "redact.yaml", REDACT_POLICY))],
}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def _cases() -> list[Case]:
    cases: list[Case] = []
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("cases_"):
            cases.extend(importlib.import_module(f"{package.__name__}.{module.name}").CASES)
    names = [case.name for case in cases]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f"case names must be unique: {duplicates}"
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def upstream() -> Iterator[RecordingUpstream]:
    server = RecordingUpstream().start()
    yield server
    server.stop()


class Gateways:
    def __init__(self, tmp: pytest.TempPathFactory, upstream: RecordingUpstream) -> None:
        self.tmp, self.upstream = tmp, upstream
        self.running: dict[str, tuple[Gateway, Client]] = {}

    def client(self, name: str) -> Client:
        if name not in self.running:
            tmp = self.tmp.mktemp(f"gateway-{name}")
            # Every https host the cases use goes to the recording upstream (after the
            # openai and anthropic rules start_gateway adds itself).
            catch_all = rf"map_remote=|https://[^/]+|http://127.0.0.1:{self.upstream.port}"
            extra = [*GATEWAYS[name](tmp), "--set", catch_all]
            gateway = start_gateway(tmp, self.upstream, extra)
            http = httpx.Client(proxy=gateway.proxy_url, verify=verify(gateway.ca), timeout=60)
            self.running[name] = (gateway, Client(gateway.proxy_url, gateway.ca, http))
        return self.running[name][1]

    def close(self) -> None:
        for gateway, client in self.running.values():
            client.http.close()
            stop_gateway(gateway)


@pytest.fixture(scope="module")
def gateways(
    tmp_path_factory: pytest.TempPathFactory, upstream: RecordingUpstream
) -> Iterator[Gateways]:
    running = Gateways(tmp_path_factory, upstream)
    yield running
    running.close()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case(case: Case, gateways: Gateways, upstream: RecordingUpstream) -> None:
    client = gateways.client(case.gateway)
    mark = upstream.mark()
    status = case.send(client)
    arrived = upstream.since(mark)
    if case.expect == "block":
        assert status == 403, f"{case.bypass}: not blocked (HTTP {status})"
        assert leaks(arrived, case.values) == [], f"{case.bypass}: reached the upstream"
    elif case.expect == "redact":
        assert status == 200, f"{case.bypass}: redacted request not answered (HTTP {status})"
        assert arrived, f"{case.bypass}: the redacted request did not arrive"
        assert leaks(arrived, case.values) == [], f"{case.bypass}: value reached the upstream"
    else:
        assert status == 200, f"{case.bypass}: clean control blocked (HTTP {status})"
        assert received(arrived, case.marker), f"{case.bypass}: control did not arrive"
