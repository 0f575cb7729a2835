"""End to end: the gateway signs with an intermediate CA of the company's own PKI.

The test builds a company root and an intermediate for the gateway with
`cryptography` (as the PKI would issue them), imports the intermediate with
`leitplanke ca import`, starts a real gateway on that confdir and sends a prompt
with curl, which trusts only the company root: the TLS handshake through the gateway
validates leaf ← intermediate ← root. And `leitplanke ca init --org` names the CA
the employees see in the certificate.
"""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from bench.proxies import LEITPLANKE, curl_chat
from tests.e2e.support import policy_gateway

pytestmark = pytest.mark.e2e

NOW = datetime.datetime.now(datetime.UTC)


def name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Muster GmbH"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def ca_cert(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    path_length: int | None,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
        )
        .sign(issuer_key, hashes.SHA256())
    )


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def company_pki(directory: Path) -> tuple[Path, Path, Path]:
    """(root.pem, intermediate.pem, intermediate.key) of a fresh two-level PKI."""
    root_key = rsa.generate_private_key(65537, 2048)
    root = ca_cert(name("Muster Root CA"), root_key, name("Muster Root CA"), root_key, 1)
    sub_key = rsa.generate_private_key(65537, 2048)
    sub = ca_cert(name("Muster Proxy-CA Leitplanke"), sub_key, root.subject, root_key, 0)
    paths = directory / "root.pem", directory / "intermediate.pem", directory / "intermediate.key"
    paths[0].write_bytes(pem(root))
    paths[1].write_bytes(pem(sub))
    paths[2].write_bytes(
        sub_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    paths[2].chmod(0o600)
    return paths


def leitplanke(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LEITPLANKE, *args], capture_output=True, text=True, timeout=120, check=False
    )


def issuer_seen_by_curl(proxy_url: str, cafile: Path) -> str:
    result = subprocess.run(
        [
            "curl",
            "-sv",
            "-o",
            "/dev/null",
            "-x",
            proxy_url,
            "--cacert",
            str(cafile),
            "https://api.openai.com/v1/models",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return next(line for line in result.stderr.splitlines() if "issuer:" in line)


def test_an_intermediate_of_the_company_pki_is_trusted_via_the_root(tmp_path: Path) -> None:
    root, intermediate, key = company_pki(tmp_path)
    confdir = tmp_path / "gw" / "conf"
    done = leitplanke(
        "ca", "import", "--confdir", str(confdir), str(intermediate), str(key), "--chain", str(root)
    )
    assert done.returncode == 0, done.stderr
    assert "Muster Proxy-CA Leitplanke" in done.stdout
    assert (confdir / "mitmproxy-ca.pem").stat().st_mode & 0o077 == 0
    with policy_gateway(tmp_path / "gw", None, ["--set", "leitplanke_workers=0"]) as gateway:
        # curl trusts the company root only: the handshake needs the intermediate,
        # which the gateway sends with every certificate it makes.
        status, _ = curl_chat(gateway.proxy_url, root, "Frage zu Wärmepumpen")
        assert status == 200
        assert "CN=Muster Proxy-CA Leitplanke" in issuer_seen_by_curl(gateway.proxy_url, root)


def test_import_refuses_what_would_not_work(tmp_path: Path) -> None:
    root, intermediate, key = company_pki(tmp_path)
    confdir = tmp_path / "conf"
    # The root's certificate with the intermediate's key: not a pair.
    mismatch = leitplanke("ca", "import", "--confdir", str(confdir), str(root), str(key))
    assert mismatch.returncode == 2
    assert mismatch.stderr.strip() == f"error: {key} is not the key of {root}"
    assert "Traceback" not in mismatch.stderr and not (confdir / "mitmproxy-ca.pem").exists()
    ok = leitplanke("ca", "import", "--confdir", str(confdir), str(intermediate), str(key))
    assert ok.returncode == 0, ok.stderr
    twice = leitplanke("ca", "import", "--confdir", str(confdir), str(intermediate), str(key))
    assert twice.returncode == 2 and "never overwritten" in twice.stderr


def test_ca_init_names_the_company_in_the_certificates(tmp_path: Path) -> None:
    confdir = tmp_path / "gw" / "conf"
    done = leitplanke("ca", "init", "--org", "Muster GmbH", "--confdir", str(confdir))
    assert done.returncode == 0, done.stderr
    with policy_gateway(tmp_path / "gw", None, ["--set", "leitplanke_workers=0"]) as gateway:
        issuer = issuer_seen_by_curl(gateway.proxy_url, gateway.ca)
        assert "O=Muster GmbH" in issuer and "CN=Muster GmbH Leitplanke CA" in issuer, issuer
