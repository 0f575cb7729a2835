"""Checks `leitplanke proxy` makes before mitmproxy starts, so that a mistake is one
line naming the option and the fix rather than mitmproxy's traceback or its hint in
its own option syntax (`--mode regular@8082` for a port in use).

* the listen address: a port in use or a privileged port;
* the confdir: a file where a directory should be, a CA file that cannot be read
  (mitmproxy would log a traceback), a directory where no CA can be created.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from cli.ca_files import CA_FILE, confdir_path


class PreflightError(Exception):
    """One line: what is wrong, which option, what to do."""


def check_listen(host: str, port: int) -> None:
    """Bind the address as mitmproxy will (SO_REUSEADDR, like asyncio's servers) and
    let it go again."""
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except OSError as exc:
        raise PreflightError(
            f"--listen-host {host!r}: not an address of this host ({exc.strerror or exc}) — "
            "use e.g. 0.0.0.0 (every interface) or the gateway's own IP"
        ) from None
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                raise PreflightError(_bind_problem(host, port, exc)) from None


def _bind_problem(host: str, port: int, exc: OSError) -> str:
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"--listen-port {port}: {where} is in use (another gateway or program) — stop "
            "it, or choose another port with --listen-port (listen_port: in the config file)"
        )
    if exc.errno == errno.EACCES:
        return (
            f"--listen-port {port}: no permission to listen on {where} (ports below 1024 "
            "need CAP_NET_BIND_SERVICE) — use e.g. --listen-port 8080"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"--listen-host {host!r}: not an address of this host — use e.g. 0.0.0.0"
    return f"--listen-host/--listen-port {where}: cannot listen: {exc.strerror or exc}"


def check_confdir(confdir: str | None) -> None:
    """The CA in the confdir can be read, or created there."""
    directory = confdir_path(confdir)
    option = "--confdir" if confdir else "--confdir (default ~/.mitmproxy)"
    if directory.exists() and not directory.is_dir():
        raise PreflightError(f"{option} {directory}: is a file, not a directory")
    ca_file = directory / CA_FILE
    if ca_file.exists():
        check_ca_file(ca_file)
        return
    existing = next((p for p in (directory, *directory.parents) if p.exists()), Path("/"))
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise PreflightError(
            f"{option} {directory}: no CA there and none can be created ({existing} is not "
            "a writable directory) — use the gateway's state directory, e.g. "
            "/var/lib/leitplanke/mitmproxy"
        )


def check_ca_file(ca_file: Path) -> None:
    fix = (
        "restore it from a backup, or move the confdir away to have a new CA made (every "
        "client must then trust the new one: docs/ca-rollout.md)"
    )
    try:
        raw = ca_file.read_bytes()
    except OSError as exc:
        raise PreflightError(f"{ca_file}: cannot read the CA: {exc.strerror or exc}") from None
    try:
        load_pem_private_key(raw, None)
    except TypeError:
        pass  # encrypted: mitmproxy takes the passphrase (cert_passphrase) and checks it
    except ValueError:
        raise PreflightError(f"{ca_file}: the CA's private key cannot be read — {fix}") from None
    try:
        x509.load_pem_x509_certificates(raw)
    except ValueError:
        raise PreflightError(f"{ca_file}: no CA certificate in it — {fix}") from None
