"""The realistic example policy's own `examples:` sent through the real proxy.

Each example goes to its tool's (or service's) first catalog host as the employee's
browser or SDK would send it, routed by map_remote to the local fake upstream. The
gateway's decision for each must be the example's `expect`, and blocked texts must
never reach the upstream.
"""

from __future__ import annotations

import json
import sqlite3
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.fake_upstream import FakeUpstream
from bench.proxies import Gateway, start_gateway, stop_gateway, wait_for
from pipeline.examples import example_service
from policy.catalog import default_catalog
from policy.loader import load_policy

try:
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

pytestmark = pytest.mark.e2e

POLICY = Path(__file__).parents[2] / "policy" / "examples" / "muster-gmbh.de.yaml"
LOADED = load_policy(POLICY)
EXAMPLES = LOADED.policy.examples


def host_of(index: int) -> str:
    service = example_service(LOADED.policy, EXAMPLES[index])
    return default_catalog().services[service].hosts[0]


def user_for(group: str | None) -> str:
    """A proxy-auth user of the example's group (or one in no group)."""
    return LOADED.policy.groups[group].users[0] if group else "m.muster"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    upstream = FakeUpstream().start()
    target = f"http://127.0.0.1:{upstream.port}"
    hosts = sorted({host_of(i) for i in range(len(EXAMPLES))})
    routes = [arg for h in hosts for arg in ("--set", f"map_remote=|https://{h}|{target}")]
    gw = start_gateway(
        tmp_path_factory.mktemp("examples"),
        upstream,
        ["--policy", str(POLICY), "--set", "proxyauth=any", *routes],
    )
    yield gw
    stop_gateway(gw)
    upstream.stop()


@pytest.mark.parametrize("index", range(len(EXAMPLES)), ids=lambda i: f"example{i + 1}")
def test_example_through_the_proxy(gateway: Gateway, index: int) -> None:
    example = EXAMPLES[index]
    proxy = f"http://{user_for(example.group)}:x@127.0.0.1:{gateway.port}"
    verify = ssl.create_default_context(cafile=str(gateway.ca))
    with httpx.Client(proxy=proxy, verify=verify, timeout=60) as client:
        # A web app's JSON body, as the generic extractor sees it.
        response = client.post(
            f"https://{host_of(index)}/leitplanke-e2e/{index}",  # the path identifies it
            json={"action": "next", "input": {"text": example.text}},
            headers={"accept": "application/json"},
        )
    path = f"/leitplanke-e2e/{index}"
    reached = any(r["path"] == path for r in list(gateway.upstream.requests))
    if example.expect in ("allow", "log"):
        assert "x-leitplanke-decision" not in response.headers
        assert reached, "an allowed prompt must reach the upstream"
    else:
        assert response.status_code == 403
        assert response.headers["x-leitplanke-decision"] == example.expect
        assert json.loads(response.text)["error"]["code"] == "leitplanke_policy_block"
        assert not reached, "a stopped prompt must never reach the upstream"


def test_recorded_decisions_match_the_examples(gateway: Gateway) -> None:
    def rows() -> list[tuple[str, str]]:
        with sqlite3.connect(gateway.db) as conn:
            return conn.execute("select host, action from decisions order by id").fetchall()

    wait_for(lambda: len(rows()) >= len(EXAMPLES), 20, "one decision per example")
    assert [action for _, action in rows()] == [e.expect for e in EXAMPLES]
    assert [host for host, _ in rows()] == [host_of(i) for i in range(len(EXAMPLES))]
