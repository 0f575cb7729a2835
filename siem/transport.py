"""Where SIEM events go: a JSON Lines file, or syslog over UDP, TCP (RFC 6587 octet
counting) or a local socket. `parse_target` reads the `leitplanke_siem` value."""

from __future__ import annotations

import errno
import os
import socket
from dataclasses import dataclass
from typing import IO, Literal

DEFAULT_SYSLOG_PORT = 514


@dataclass(frozen=True)
class Target:
    kind: Literal["jsonl", "udp", "tcp", "unix"]
    path: str = ""  # jsonl file or unix socket
    host: str = ""
    port: int = DEFAULT_SYSLOG_PORT


def parse_target(text: str) -> Target | None:
    """`` (off), `jsonl:/path`, `syslog:udp://host[:port]`, `syslog:tcp://host[:port]`,
    `syslog:unix:/path`; raises ValueError with the accepted forms."""
    text = text.strip()
    if not text:
        return None
    forms = (
        "use jsonl:/path/file, syslog:udp://host:port, syslog:tcp://host:port "
        "or syslog:unix:/dev/log"
    )
    if text.startswith("jsonl:"):
        path = text[len("jsonl:") :]
        if not path:
            raise ValueError(f"leitplanke_siem {text!r}: no file; {forms}")
        return Target("jsonl", path=path)
    if text.startswith("syslog:unix:"):
        path = text[len("syslog:unix:") :]
        if not path:
            raise ValueError(f"leitplanke_siem {text!r}: no socket path; {forms}")
        return Target("unix", path=path)
    for scheme in ("udp", "tcp"):
        prefix = f"syslog:{scheme}://"
        if text.startswith(prefix):
            host, port = _host_port(text[len(prefix) :].rstrip("/"), text, forms)
            return Target("udp" if scheme == "udp" else "tcp", host=host, port=port)
    raise ValueError(f"leitplanke_siem {text!r}: unknown target; {forms}")


def _host_port(address: str, text: str, forms: str) -> tuple[str, int]:
    if address.startswith("["):  # [IPv6]:port
        host, _, rest = address[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif address.count(":") == 1:
        host, port_text = address.split(":")
    else:
        host, port_text = address, ""
    if not host:
        raise ValueError(f"leitplanke_siem {text!r}: no host; {forms}")
    if not port_text:
        return host, DEFAULT_SYSLOG_PORT
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"leitplanke_siem {text!r}: invalid port {port_text!r}; {forms}")
    return host, int(port_text)


class Transport:
    def connect(self) -> None:
        """Reach the target now (a TCP connection); others are open once built."""

    def send(self, line: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _File(Transport):
    def __init__(self, path: str) -> None:
        # Pseudonyms are still about people: a new file is owner-only, like the store.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self.file: IO[str] = open(fd, "a", encoding="utf-8", newline="\n")  # noqa: SIM115

    def send(self, line: str) -> None:
        self.file.write(line + "\n")
        self.file.flush()

    def close(self) -> None:
        self.file.close()


class _Udp(Transport):
    def __init__(self, host: str, port: int) -> None:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
        self.address = address
        self.sock = socket.socket(family, kind, proto)

    def send(self, line: str) -> None:
        self.sock.sendto(line.encode("utf-8"), self.address)

    def close(self) -> None:
        self.sock.close()


class _Tcp(Transport):
    """RFC 6587 octet counting (`LEN SP MSG`); connects lazily and again after an error."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.sock: socket.socket | None = None

    def connect(self) -> None:
        if self.sock is None:
            self.sock = socket.create_connection((self.host, self.port), timeout=5)

    def send(self, line: str) -> None:
        data = line.encode("utf-8")
        frame = str(len(data)).encode() + b" " + data
        for attempt in (1, 2):
            try:
                if self.sock is None:
                    self.sock = socket.create_connection((self.host, self.port), timeout=5)
                self.sock.sendall(frame)
                return
            except OSError:
                self.close()
                if attempt == 2:
                    raise

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class _Unix(Transport):
    def __init__(self, path: str) -> None:
        self.stream = False
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            self.sock.connect(path)
        except OSError as exc:
            self.sock.close()
            if exc.errno != errno.EPROTOTYPE:
                raise
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.connect(path)
            self.stream = True

    def send(self, line: str) -> None:
        data = line.encode("utf-8")
        if self.stream:
            self.sock.sendall(data + b"\n")
        else:
            self.sock.send(data)

    def close(self) -> None:
        self.sock.close()


def open_transport(target: Target) -> Transport:
    if target.kind == "jsonl":
        return _File(target.path)
    if target.kind == "udp":
        return _Udp(target.host, target.port)
    if target.kind == "tcp":
        return _Tcp(target.host, target.port)
    return _Unix(target.path)
