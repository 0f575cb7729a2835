"""The checker never reaches the network: not for spaCy models, not for suffix lists."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Runs in a fresh interpreter so nothing cached by earlier tests hides a fetch:
# every socket connect or DNS lookup outside loopback raises before any import.
PROBE = r"""
import ipaddress, socket, sys

def _loopback(host):
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in ("localhost",)

attempts = []
_connect = socket.socket.connect
_getaddrinfo = socket.getaddrinfo

def connect(self, address):
    if isinstance(address, tuple) and not _loopback(address[0]):
        attempts.append(repr(address))
        raise OSError("network access attempted: %r" % (address,))
    return _connect(self, address)

def connect_ex(self, address):
    connect(self, address)
    return 0

def getaddrinfo(host, *args, **kwargs):
    if host is not None and not _loopback(str(host)):
        attempts.append("dns:" + str(host))
        raise OSError("DNS lookup attempted: %r" % (host,))
    return _getaddrinfo(host, *args, **kwargs)

socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.getaddrinfo = getaddrinfo

import json
from checker.config import ScanConfig
from checker.scan import Scanner
from policy.loader import load_policy

scanner = Scanner(ScanConfig.from_policy(load_policy().policy))
text = ("Sehr geehrter Herr Müller, bitte schreiben Sie an max.mueller@beispiel-firma.de "
        "oder rufen Sie +49 30 1234567 an. IBAN DE89 3704 0044 0532 0130 00.")
found = sorted({f.entity_type for f in scanner.scan_text(text)})
print(json.dumps({"found": found, "attempts": attempts}))
"""


def test_engine_builds_and_scans_with_no_network(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TLDEXTRACT")}
    env["HOME"] = str(tmp_path)  # an empty tldextract/spaCy cache
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        cwd=Path(__file__).parents[2],
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["attempts"] == []
    assert {"EMAIL_ADDRESS", "IBAN_CODE", "PHONE_NUMBER", "PERSON"} <= set(report["found"])
