"""Scale-out end to end: two real `leitplanke proxy` processes behind a real HAProxy in
TCP mode on loopback, driven by the official openai SDK, then `leitplanke merge`.

Both gateways share one confdir (one CA) and one key (the same key file content at
each `<db>.key`, as IT distributes it). HAProxy balances TCP connections round-robin
with an HTTP health check on the gateways' own /proxy.pac. Balancing in TCP mode is
per *connection*: a client that keeps its connection alive (the openai SDK does) stays
on one gateway, so this client disables keep-alive and every request opens a new
connection — and so gets the next gateway.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai
import pytest

try:  # current SDKs are built on httpx2 (a fork of httpx); older ones on httpx
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

from bench.fake_upstream import ANSWER, FakeUpstream
from bench.proxies import LEITPLANKE, free_port, port_open, stop_process, wait_for

HAPROXY = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        HAPROXY is None,
        reason="haproxy is not installed (apt-get install haproxy; .ci/run installs it)",
    ),
]

# Fictitious test data: documentation IBANs with valid checksums.
IBANS = [
    "DE89 3704 0044 0532 0130 00",
    "DE02 1203 0000 0000 2020 51",
    "DE44 5001 0517 5407 3249 31",
    "GB82 WEST 1234 5698 7654 32",
    "NL91 ABNA 0417 1643 00",
    "AT61 1904 3002 3457 3201",
]
CLEAN = [
    "Fasse bitte die Vorteile von Wärmepumpen in drei Sätzen zusammen.",
    "Schreibe eine höfliche Absage für einen Messetermin.",
    "Erkläre den Unterschied zwischen TCP und UDP.",
    "Nenne drei Ideen für ein Teamfrühstück.",
    "Wie formuliere ich eine Erinnerung an eine offene Rechnung?",
    "Übersetze 'Lieferschein' ins Englische.",
]
KEY = "5e" * 32


@dataclass
class Node:
    name: str
    port: int
    admin_port: int  # /healthz, the balancer's health check
    db: Path
    log: Path
    process: subprocess.Popen[bytes]


@dataclass
class Cluster:
    nodes: list[Node]
    haproxy: subprocess.Popen[bytes]
    port: int
    ca: Path
    upstream: FakeUpstream
    tmp: Path

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def write_key(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(KEY + "\n")


def start_node(name: str, tmp: Path, confdir: Path, upstream: FakeUpstream, balancer: int) -> Node:
    home = tmp / name
    home.mkdir()
    db, log, port, admin = home / "findings.db", home / "proxy.log", free_port(), free_port()
    write_key(db.with_name(db.name + ".key"))  # the one key, copied to every node
    target = f"http://127.0.0.1:{upstream.port}"
    with log.open("wb") as handle:
        process = subprocess.Popen(
            [
                LEITPLANKE,
                "proxy",
                "--listen-port",
                str(port),
                "--confdir",
                str(confdir),
                "--db",
                str(db),
                "--set",
                "connection_strategy=lazy",
                "--set",
                rf"map_remote=|https://api\.openai\.com|{target}",
                # Behind a balancer the served PAC file must name the balancer.
                "--set",
                f"leitplanke_pac_proxy=127.0.0.1:{balancer}",
                # Two gateways warm up and scan on one small CI machine: be patient.
                "--set",
                "leitplanke_scan_timeout_ms=30000",
                "--set",
                f"leitplanke_admin_port={admin}",
            ],
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")},
        )
    try:
        wait_for(
            lambda: process.poll() is not None or (port_open(port) and db.exists()),
            60,
            f"gateway {name} to listen",
        )
        if process.poll() is not None:
            raise TimeoutError
    except TimeoutError:
        stop_process(process)
        raise AssertionError(f"{name} did not start:\n{log.read_text(errors='replace')}") from None
    return Node(name, port, admin, db, log, process)


def haproxy_config(port: int, nodes: list[Node], stats: Path) -> str:
    """TCP mode, round-robin, an HTTP health check on each gateway's /healthz (admin
    port): a gateway whose checker is not ready (warming up, pool broken) is out."""
    servers = "\n".join(
        f"    server {n.name} 127.0.0.1:{n.port} check port {n.admin_port} "
        "inter 500ms fall 2 rise 2"
        for n in nodes
    )
    return f"""\
global
    stats socket {stats} mode 600 level user

defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s

frontend leitplanke
    bind 127.0.0.1:{port}
    default_backend gateways

backend gateways
    balance roundrobin
    # An HTTP health check on a TCP backend: /healthz answers 503 when the gateway
    # cannot enforce the policy.
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host localhost
    http-check expect status 200
{servers}
"""


def server_states(stats: Path) -> dict[str, str]:
    """Backend server name -> status (UP, DOWN, ...) from HAProxy's stats socket."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(stats))
        sock.sendall(b"show stat\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    lines = data.decode().splitlines()
    header = lines[0].lstrip("# ").split(",")
    states = {}
    for line in lines[1:]:
        row = dict(zip(header, line.split(","), strict=False))
        if row.get("pxname") == "gateways" and row.get("svname") not in ("BACKEND", None):
            states[row["svname"]] = row["status"]
    return states


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    assert HAPROXY is not None
    tmp = tmp_path_factory.mktemp("scale-out")
    upstream = FakeUpstream().start()
    confdir = tmp / "conf"  # one CA for every node
    nodes: list[Node] = []
    haproxy: subprocess.Popen[bytes] | None = None
    try:
        port, stats, config = free_port(), tmp / "haproxy.sock", tmp / "haproxy.cfg"
        nodes.append(start_node("gw1", tmp, confdir, upstream, port))  # creates the CA
        nodes.append(start_node("gw2", tmp, confdir, upstream, port))  # reuses it
        config.write_text(haproxy_config(port, nodes, stats))
        check = subprocess.run([HAPROXY, "-c", "-f", str(config)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        haproxy = subprocess.Popen(
            [HAPROXY, "-db", "-f", str(config)],
            stdout=(tmp / "haproxy.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: port_open(port) and stats.exists(), 30, "haproxy to listen")
        wait_for(
            lambda: all(b"checker ready" in n.log.read_bytes() for n in nodes),
            240,
            "both checkers to warm up",
        )
        wait_for(
            lambda: server_states(stats) == {"gw1": "UP", "gw2": "UP"},
            30,
            "both gateways to pass the health check",
        )
        yield Cluster(nodes, haproxy, port, confdir / "mitmproxy-ca-cert.pem", upstream, tmp)
    finally:
        if haproxy is not None:
            stop_process(haproxy)
        for node in nodes:
            stop_process(node.process)
        upstream.stop()


def client(cluster: Cluster) -> openai.OpenAI:
    """The SDK through HAProxy, trusting the gateways' CA; no keep-alive, so each request
    is a new TCP connection and round-robin reaches every gateway."""
    http_client = httpx.Client(
        proxy=cluster.proxy_url,
        verify=ssl.create_default_context(cafile=str(cluster.ca)),
        limits=httpx.Limits(max_keepalive_connections=0),
        timeout=60,
    )
    return openai.OpenAI(api_key="sk-test-not-a-real-key", http_client=http_client, max_retries=0)


def send(cluster: Cluster, prompts: list[str]) -> tuple[int, int]:
    """Send the prompts; return (passed, blocked)."""
    sdk = client(cluster)
    passed = blocked = 0
    try:
        for prompt in prompts:
            try:
                answer = sdk.chat.completions.create(
                    model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]
                )
            except openai.PermissionDeniedError as exc:
                assert "IBAN" in str(exc.body)
                blocked += 1
            else:
                assert answer.choices[0].message.content == ANSWER
                passed += 1
    finally:
        sdk.close()
    return passed, blocked


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


def decisions(db: Path) -> int:
    return int(query(db, "select count(*) from decisions")[0][0])


def merge(central: Path, nodes: list[Node]) -> str:
    result = subprocess.run(
        [LEITPLANKE, "merge", "--into", str(central), *(str(n.db) for n in nodes)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def node_findings(node: Node) -> set[tuple[object, ...]]:
    """(node id, finding id, its decision's id, ts, user, value hash) on the node."""
    (node_id,) = query(node.db, "select node_id from node_info")[0]
    rows = query(
        node.db,
        "select f.id, d.id, d.ts, d.user_pseudonym, f.entity_type, f.value_hash "
        "from findings f join decisions d on d.id = f.decision_id",
    )
    return {(node_id, *row) for row in rows}


def central_findings(central: Path) -> list[tuple[Any, ...]]:
    """The same tuple, from the central store: via the central link finding → decision."""
    return query(
        central,
        "select f.node, f.node_row_id, d.node_row_id, d.ts, d.user_pseudonym, f.entity_type, "
        "f.value_hash from findings f join decisions d on d.id = f.decision_id "
        "where d.node = f.node",
    )


def test_two_gateways_behind_haproxy_merge_into_one_store(cluster: Cluster) -> None:
    gw1, gw2 = cluster.nodes
    first = [p for pair in zip(CLEAN[:3], IBANS[:3], strict=True) for p in pair]
    first = [p if p in CLEAN else f"Bitte überweise 120 € auf {p}." for p in first]
    assert send(cluster, first) == (3, 3)
    wait_for(lambda: decisions(gw1.db) + decisions(gw2.db) == 6, 30, "6 decisions recorded")
    assert decisions(gw1.db) > 0 and decisions(gw2.db) > 0  # round-robin reached both

    central = cluster.tmp / "central" / "leitplanke.db"
    central.parent.mkdir()
    write_key(central.with_name(central.name + ".key"))
    merge(central, cluster.nodes)  # while both gateways run

    # More traffic after the first merge: an incremental merge takes just that.
    second = [f"IBAN für die Rechnung: {p}" for p in IBANS[3:]] + CLEAN[3:]
    assert send(cluster, second) == (3, 3)
    wait_for(lambda: decisions(gw1.db) + decisions(gw2.db) == 12, 30, "12 decisions recorded")
    assert decisions(gw1.db) == decisions(gw2.db) == 6  # strict round-robin per connection
    output = merge(central, cluster.nodes)
    assert "3 new, 3 merged before" in output  # each node: 3 new decisions

    for node in cluster.nodes:
        stop_process(node.process)  # gateways stop; their WAL is checkpointed
    for _ in range(2):  # idempotent: nothing new, however often it runs
        counts = [int(n) for n in re.findall(r"(\d+) new", merge(central, cluster.nodes))]
        assert counts and not any(counts)

    # Every finding present exactly once, nothing lost, links intact.
    expected = node_findings(gw1) | node_findings(gw2)
    assert len(expected) == 6  # one IBAN finding per blocked prompt
    merged = central_findings(central)
    assert (
        len(merged)
        == len(set(merged))
        == int(query(central, "select count(*) from findings")[0][0])
    )
    assert set(merged) == expected
    assert decisions(central) == 12
    assert query(central, "select count(*) from findings where decision_id is null") == [(0,)]
    (nodes_known,) = query(central, "select count(*) from merged_nodes")[0]
    assert nodes_known == 2
    usage = sum(int(query(n.db, "select count(*) from usage")[0][0]) for n in cluster.nodes)
    assert int(query(central, "select count(*) from usage")[0][0]) == usage > 0

    # The IBANs never reached the upstream, and no database file holds one.
    for iban in IBANS:
        compact = iban.replace(" ", "").encode()
        assert not any(
            compact in body or iban.encode() in body for body in cluster.upstream.bodies()
        )
    files = [p for p in cluster.tmp.rglob("*") if p.is_file() and ".db" in p.name]
    assert {p.name for p in files} >= {"findings.db", "leitplanke.db"}
    for path in files:
        data = path.read_bytes()
        for iban in IBANS:
            assert iban.encode() not in data, path
            assert iban.replace(" ", "").encode() not in data, path
    # The merge snapshots are gone.
    assert not [p for p in (cluster.tmp / "central").iterdir() if p.name.startswith(".leitplanke")]
