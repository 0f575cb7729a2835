"""The checks of `leitplanke doctor`, each one line: ok, warn, fail or skip, what was
found and what to do. They read only what the gateway's config file names."""

from __future__ import annotations

import json
import socket
import sqlite3
import stat
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509

from cli.ca_files import CA_FILE, confdir_path
from cli.doctor_probe import ProbeError, Route, probe
from cli.preflight import PreflightError, check_ca_file
from policy.catalog import Catalog
from policy.loader import PolicyError, load_policy
from policy.model import Policy
from proxy_addon.key_files import loose_key_files
from store.keys import default_key_path

CHALLENGE_DOCS = "docs/deployment.md, 'When a vendor challenges the gateway'"


@dataclass(frozen=True)
class Check:
    status: str  # ok | warn | fail | skip
    area: str
    message: str
    hint: str = ""

    def line(self) -> str:
        hint = f" — {self.hint}" if self.hint else ""
        return f"{self.status:<5} {self.area:<8} {self.message}{hint}"


def check_ca(confdir: str | None) -> Iterator[Check]:
    directory = confdir_path(confdir)
    ca_file = directory / CA_FILE
    if not ca_file.exists():
        yield Check(
            "fail",
            "ca",
            f"no CA in {directory}",
            "start the gateway once, or 'leitplanke ca init --org …'; is confdir: right?",
        )
        return
    try:
        check_ca_file(ca_file)
    except PreflightError as exc:
        yield Check("fail", "ca", str(exc))
        return
    cert = x509.load_pem_x509_certificates(ca_file.read_bytes())[0]
    days = (cert.not_valid_after_utc - datetime.now(UTC)).days
    loose = loose_key_files(directory)
    subject = cert.subject.rfc4514_string()
    if loose:
        yield Check("fail", "ca", f"key readable by others: {', '.join(loose)}", "chmod 600")
    elif days < 0:
        yield Check("fail", "ca", f"{subject} expired", "leitplanke ca rotate (docs/ca-rollout.md)")
    elif days < 60:
        yield Check(
            "warn", "ca", f"{subject} expires in {days} days", "leitplanke ca rotate --prepare"
        )
    else:
        yield Check("ok", "ca", f"{subject}, valid {days} more days, key mode 600")


def check_policy(path: str | None) -> tuple[Policy | None, Check]:
    try:
        loaded = load_policy(path)
    except PolicyError as exc:
        first = str(exc.problems[0]) if exc.problems else str(exc)
        return None, Check("fail", "policy", first, f"leitplanke policy check {path}")
    from policy.lint import lint

    warnings = lint(loaded).warnings
    message = f"{loaded.source}: version {loaded.version_id}"
    if warnings:
        return loaded.policy, Check(
            "warn",
            "policy",
            f"{message}, {len(warnings)} warning(s)",
            f"leitplanke policy check --strict {loaded.source}",
        )
    return loaded.policy, Check("ok", "policy", message)


def check_db(db: str, key_file: str | None) -> Iterator[Check]:
    path = Path(db)
    if not path.exists():
        yield Check("warn", "db", f"{db}: no database yet", "the gateway creates it at start")
        return
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            result = conn.execute("pragma quick_check").fetchone()[0]
            rows = conn.execute("select count(*) from decisions").fetchone()[0]
    except sqlite3.Error as exc:
        yield Check("fail", "db", f"{db}: {exc}", "restore it from a backup or move it away")
        return
    if result != "ok":
        yield Check("fail", "db", f"{db}: quick_check says {result}", "restore it from a backup")
        return
    yield Check("ok", "db", f"{db}: {rows} decisions, quick_check ok")
    key = Path(key_file or default_key_path(db))
    if not key.exists():
        yield Check("fail", "db", f"key file {key} is missing", "pseudonyms cannot be checked")
    elif stat.S_IMODE(key.stat().st_mode) & 0o077:
        yield Check("fail", "db", f"key file {key} is readable by others", f"chmod 600 {key}")


def check_gateway(host: str, port: int | None) -> Check:
    """The running gateway's own view (/healthz): checker workers, reloads, database."""
    if not port:
        return Check(
            "skip",
            "workers",
            "no admin port configured",
            "set leitplanke_admin_port so doctor (and monitoring) can ask the gateway",
        )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://{host}:{port}/healthz", timeout=5) as answer:
            code, body = answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        code, body = exc.code, json.loads(exc.read() or b"{}")
    except (OSError, ValueError) as exc:
        return Check("fail", "workers", f"gateway at {host}:{port} does not answer: {exc}")
    checks = body.get("checks", {})
    checker = checks.get("checker", {})
    detail = f"{checker.get('workers', '?')} worker(s), checker {checker.get('status', '?')}"
    problems = [
        f"{k}: {v.get('detail', v.get('status'))}"
        for k, v in checks.items()
        if v.get("status") != "ok"
    ]
    if code != 200 or body.get("status") == "fail":
        return Check("fail", "workers", f"/healthz {code}: {detail}; {'; '.join(problems)}")
    if problems:
        return Check("warn", "workers", f"{detail}; {'; '.join(problems)}", "see /healthz")
    return Check("ok", "workers", detail)


def check_upstream(route: Route) -> Check:
    if route.proxy is None:
        return Check("skip", "upstream", "no upstream_proxy: the gateway connects directly")
    try:
        socket.create_connection(route.proxy, timeout=route.timeout).close()
    except OSError as exc:
        where = f"{route.proxy[0]}:{route.proxy[1]}"
        return Check("fail", "upstream", f"{where}: {exc.strerror or exc}", "check upstream_proxy")
    auth = ", with upstream_auth_file" if route.proxy_auth else ""
    return Check("ok", "upstream", f"{route.proxy[0]}:{route.proxy[1]} reachable{auth}")


def approved_hosts(policy: Policy, catalog: Catalog) -> list[tuple[str, str]]:
    """(tool name, host) of every approved tool's catalog hosts."""
    found: dict[str, str] = {}
    for tool_id, tool in policy.tools.items():
        if tool.status != "approved":
            continue
        for service in tool.services:
            for host in catalog.services[service].hosts:
                found.setdefault(host, tool.display_name(tool_id))
    return [(name, host) for host, name in found.items()]


def check_hosts(hosts: Iterable[tuple[str, str]], route: Route, user_agent: str) -> Iterator[Check]:
    for tool, host in hosts:
        mapped = route.connect.get((host, 443))
        if route.proxy is not None:
            yield Check("skip", "dns", f"{host}: resolved by the upstream proxy")
        elif mapped is not None:
            yield Check("skip", "dns", f"{host}: --connect-to {mapped[0]}:{mapped[1]}")
        else:
            try:
                addresses = {
                    str(i[4][0]) for i in socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)
                }
            except OSError as exc:
                yield Check("fail", "dns", f"{host} ({tool}): {exc.strerror or exc}", "check DNS")
                continue
            yield Check("ok", "dns", f"{host}: {', '.join(sorted(addresses)[:3])}")
        try:
            answer = probe(host, 443, route, user_agent)
        except ProbeError as exc:
            yield Check("fail", "tls", f"{host} ({tool}): {exc}")
            continue
        if answer.challenge is not None:
            yield Check(
                "fail",
                "tls",
                f"{host} ({tool}): bot challenge from {answer.challenge.vendor} "
                f"({answer.challenge.evidence}), not the service",
                f"passthrough for this service or vendor allow-listing: {CHALLENGE_DOCS}",
            )
            continue
        yield Check("ok", "tls", f"{host} ({tool}): {answer.tls}, HTTP {answer.status}")
