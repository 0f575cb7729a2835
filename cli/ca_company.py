"""A CA with the company's name, or the company PKI's own intermediate, in the confdir.

`init_ca` creates what mitmproxy would create at its first start, but named for the
company (`CN=<org> Leitplanke CA, O=<org>` instead of `CN=mitmproxy, O=mitmproxy`):
employees who look at a certificate see who issued it.

`import_ca` takes an intermediate CA the company's PKI issued for the gateway (its
certificate, its unencrypted private key, and the chain up to the root) and writes it
in mitmproxy's format: `mitmproxy-ca.pem` = key + CA certificate + chain (mode 0600;
mitmproxy signs with the first certificate and sends the rest as the chain), the
public `mitmproxy-ca-cert.pem`. Clients that trust the company root (every managed
Windows PC already does) then trust the gateway without a rollout of their own.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from mitmproxy.certs import CertStore

from cli.ca_files import BASENAME, CA_FILE, CA_FILES, CERT_FILE, KEY_SIZE, CaError

DHPARAM_FILE = f"{BASENAME}-dhparam.pem"


def _refuse_existing(confdir: Path) -> None:
    if (confdir / CA_FILE).exists():
        raise CaError(
            f"{confdir / CA_FILE} exists already — a gateway CA is never overwritten; "
            "replace it with 'leitplanke ca rotate' (clients must trust the new one first)"
        )


def init_ca(confdir: Path, organization: str, common_name: str | None = None) -> x509.Certificate:
    """A new CA named for `organization` in `confdir` (refuses when there is one)."""
    org = organization.strip()
    if not org:
        raise CaError("--org must name the company, e.g. --org 'Muster GmbH'")
    _refuse_existing(confdir)
    cn = (common_name or f"{org} Leitplanke CA").strip()
    try:
        confdir.mkdir(mode=0o700, parents=True, exist_ok=True)
        CertStore.create_store(confdir, BASENAME, KEY_SIZE, organization=org, cn=cn)
    except OSError as exc:
        raise CaError(f"cannot create the CA in {confdir}: {exc.strerror or exc}") from None
    return x509.load_pem_x509_certificates((confdir / CERT_FILE).read_bytes())[0]


def _load(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CaError(f"cannot read the {what} {path}: {exc.strerror or exc}") from None


def _certificates(path: Path, what: str) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(_load(path, what))
    except ValueError:
        raise CaError(f"{path}: no PEM certificate in it (the {what})") from None


def import_ca(
    confdir: Path, cert_file: Path, key_file: Path, chain_file: Path | None = None
) -> x509.Certificate:
    """Write the company's intermediate CA as the gateway's CA (refuses when the
    confdir has one, the key does not belong to the certificate, or it is no CA)."""
    _refuse_existing(confdir)
    cert = _certificates(cert_file, "CA certificate")[0]
    try:
        key = serialization.load_pem_private_key(_load(key_file, "private key"), None)
    except TypeError:
        raise CaError(
            f"{key_file}: the key is encrypted — decrypt it for the gateway "
            "(openssl pkey -in KEY -out KEY.plain) and keep that file mode 600"
        ) from None
    except ValueError:
        raise CaError(f"{key_file}: not a PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):  # what mitmproxy's CertStore signs with
        raise CaError(f"{key_file}: the gateway's CA needs an RSA key (ask the PKI for one)")
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if key.public_key().public_bytes(der, public) != cert.public_key().public_bytes(der, public):
        raise CaError(f"{key_file} is not the key of {cert_file}")
    try:
        basic = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        basic = None
    if basic is None or not basic.ca:
        raise CaError(
            f"{cert_file} is not a CA certificate (basicConstraints CA:TRUE) — ask the PKI "
            "for a subordinate CA for the gateway, not a server certificate"
        )
    _check_usages(cert, cert_file)
    chain = _certificates(chain_file, "chain") if chain_file is not None else []
    chain = [c for c in chain if c != cert]
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(
        pem, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    ca_pem = key_pem + cert.public_bytes(pem) + b"".join(c.public_bytes(pem) for c in chain)
    _write_all(
        confdir,
        {
            CA_FILE: (ca_pem, 0o600),
            CERT_FILE: (cert.public_bytes(pem), 0o644),
            f"{BASENAME}-ca-cert.cer": (cert.public_bytes(pem), 0o644),
        },
    )
    return cert


def _check_usages(cert: x509.Certificate, path: Path) -> None:
    """A CA that may sign certificates, and (if restricted) TLS server certificates."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        if not usage.key_cert_sign:
            raise CaError(f"{path}: its key usage does not allow signing certificates")
    except x509.ExtensionNotFound:
        pass
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        if ExtendedKeyUsageOID.SERVER_AUTH not in eku:
            raise CaError(f"{path}: its extended key usage excludes TLS server certificates")
    except x509.ExtensionNotFound:
        pass


def _write_all(confdir: Path, files: dict[str, tuple[bytes, int]]) -> None:
    """Write the files into a private temporary directory, then move them in: a
    half-written CA never becomes the gateway's."""
    try:
        confdir.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".ca-import-", dir=confdir))
        for name, (data, mode) in files.items():
            fd = os.open(tmp / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        for name in CA_FILES:  # stale public files of another CA must not stay
            if name not in files:
                (confdir / name).unlink(missing_ok=True)
        for name in files:
            os.replace(tmp / name, confdir / name)
        tmp.rmdir()
    except OSError as exc:
        raise CaError(f"cannot write the CA into {confdir}: {exc.strerror or exc}") from None
