"""The gateway's CA in mitmproxy's confdir: export the public certificate, rotate the CA.

mitmproxy signs every intercepted host with ONE CA, the first certificate in
`<confdir>/mitmproxy-ca.pem` (private key + certificate, mode 0600), and creates it on
first start with `CertStore.create_store`. These functions create it the same way (so
`leitplanke ca export` before the first `leitplanke proxy` gives the same files), never
read or write the private key outside that file, and rotate in two steps so clients can
trust the old and the new CA during an overlap:

    prepare_rotation()  the next CA in <confdir>/next/ (0700), not yet used for signing;
                        the bundle (active + next) goes to the clients first
    rotate()            the next CA (or a fresh one) becomes the active mitmproxy-ca.pem,
                        the old files move to <confdir>/retired/<date>/ (0700)

Public certificates only leave through `export_bytes`, which has no way to take a key.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from mitmproxy.certs import CertStore
from mitmproxy.options import CONF_BASENAME

BASENAME = CONF_BASENAME  # "mitmproxy": the file prefix `leitplanke proxy` uses
KEY_SIZE = 2048  # mitmproxy's default `key_size` option
DEFAULT_CONFDIR = "~/.mitmproxy"
DEFAULT_OVERLAP_DAYS = 30

CA_FILE = f"{BASENAME}-ca.pem"  # key + certificate: the one mitmproxy signs with
CERT_FILE = f"{BASENAME}-ca-cert.pem"
# Everything create_store writes that belongs to one CA (the dhparam file does not).
CA_FILES = (
    CA_FILE,
    f"{BASENAME}-ca.p12",
    CERT_FILE,
    f"{BASENAME}-ca-cert.cer",
    f"{BASENAME}-ca-cert.p12",
)
BUNDLE_FILE = f"{BASENAME}-ca-bundle.pem"
NEXT_DIR = "next"
RETIRED_DIR = "retired"
RETIRED_INFO = "retired.json"

Format = Literal["pem", "der", "p12"]
FORMATS: tuple[Format, ...] = ("pem", "der", "p12")


class CaError(Exception):
    """A confdir the command cannot work with; the message says why."""


def confdir_path(confdir: str | Path | None) -> Path:
    return Path(confdir or DEFAULT_CONFDIR).expanduser()


def _read_cert(ca_file: Path) -> tuple[x509.Certificate, int]:
    """The first certificate in a mitmproxy CA file (the signing CA) and how many it holds.
    Only CERTIFICATE blocks are parsed; the key is never loaded."""
    try:
        certs = x509.load_pem_x509_certificates(ca_file.read_bytes())
    except FileNotFoundError:
        raise CaError(f"no CA in {ca_file.parent} ({ca_file.name} is missing)") from None
    except (OSError, ValueError) as exc:
        raise CaError(f"cannot read the CA certificate in {ca_file}: {exc}") from None
    return certs[0], len(certs)


def active_cert(confdir: Path) -> x509.Certificate:
    """The CA certificate `leitplanke proxy` signs with."""
    return _read_cert(confdir / CA_FILE)[0]


def ensure_ca(confdir: Path) -> tuple[x509.Certificate, bool]:
    """The active CA certificate, created first as `leitplanke proxy` would if the confdir
    has none; the flag says whether it was created."""
    if (confdir / CA_FILE).exists():
        return active_cert(confdir), False
    try:
        store = CertStore.from_store(confdir, basename=BASENAME, key_size=KEY_SIZE)
    except OSError as exc:
        raise CaError(f"cannot create the CA in {confdir}: {exc}") from None
    return store.default_ca.to_cryptography(), True


def next_cert(confdir: Path) -> x509.Certificate | None:
    """The prepared next CA (`prepare_rotation`), if there is one."""
    path = confdir / NEXT_DIR / CA_FILE
    return _read_cert(path)[0] if path.exists() else None


def fingerprint(cert: x509.Certificate, algorithm: hashes.HashAlgorithm | None = None) -> str:
    """Upper-case hex with colons, as openssl and browsers show it (SHA-256 by default)."""
    return cert.fingerprint(algorithm or hashes.SHA256()).hex(":").upper()


def thumbprint(cert: x509.Certificate) -> str:
    """The SHA-1 thumbprint Windows shows (certmgr, `Cert:\\LocalMachine\\Root`)."""
    return cert.fingerprint(hashes.SHA1()).hex().upper()  # identification only


def describe(cert: x509.Certificate) -> str:
    return (
        f"{cert.subject.rfc4514_string()}, valid "
        f"{cert.not_valid_before_utc:%Y-%m-%d} to {cert.not_valid_after_utc:%Y-%m-%d}\n"
        f"  SHA-256 fingerprint: {fingerprint(cert)}\n"
        f"  SHA-1 thumbprint (Windows): {thumbprint(cert)}"
    )


def export_bytes(certs: Sequence[x509.Certificate], fmt: Format) -> bytes:
    """Public certificates in `fmt`: PEM (concatenated), DER (exactly one certificate) or a
    certificate-only PKCS#12 without password (Windows, Intune). Takes no key."""
    if not certs:
        raise CaError("no certificate to export")
    if fmt == "pem":
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)
    if fmt == "der":
        if len(certs) != 1:
            raise CaError("DER holds one certificate; use pem or p12 for a bundle")
        return certs[0].public_bytes(serialization.Encoding.DER)
    if fmt == "p12":
        return pkcs12.serialize_key_and_certificates(
            name=BASENAME.encode(),
            key=None,
            cert=None,
            cas=list(certs),
            encryption_algorithm=serialization.NoEncryption(),
        )
    raise CaError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")


@dataclass(frozen=True)
class Retired:
    path: Path
    cert: x509.Certificate
    retired_at: datetime
    remove_after: datetime


def retired(confdir: Path) -> list[Retired]:
    """The retired CAs, oldest first (unreadable directories are skipped)."""
    found = []
    for info_file in sorted((confdir / RETIRED_DIR).glob(f"*/{RETIRED_INFO}")):
        try:
            info = json.loads(info_file.read_text(encoding="utf-8"))
            cert = _read_cert(info_file.parent / CA_FILE)[0]
            found.append(
                Retired(
                    info_file.parent,
                    cert,
                    datetime.fromisoformat(info["retired_at"]),
                    datetime.fromisoformat(info["remove_after"]),
                )
            )
        except (CaError, OSError, ValueError, KeyError, TypeError):
            continue
    return sorted(found, key=lambda r: r.retired_at)


def trusted_certs(confdir: Path, now: datetime | None = None) -> list[x509.Certificate]:
    """What clients should trust now: the active CA, the prepared next one, and retired
    ones whose overlap has not ended (newest first, without duplicates)."""
    now = now or datetime.now(UTC)
    certs = [active_cert(confdir)]
    upcoming = next_cert(confdir)
    if upcoming is not None:
        certs.insert(0, upcoming)
    certs += [r.cert for r in reversed(retired(confdir)) if r.remove_after > now]
    unique: dict[bytes, x509.Certificate] = {}
    for cert in certs:
        unique.setdefault(cert.fingerprint(hashes.SHA256()), cert)
    return list(unique.values())


def write_bundle(confdir: Path, now: datetime | None = None) -> Path:
    """`<confdir>/mitmproxy-ca-bundle.pem`: every certificate of `trusted_certs`."""
    path = confdir / BUNDLE_FILE
    data = export_bytes(trusted_certs(confdir, now), "pem")
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def _check_rotatable(confdir: Path) -> x509.Certificate:
    cert, count = _read_cert(confdir / CA_FILE)
    if count > 1:
        raise CaError(
            f"{confdir / CA_FILE} holds a certificate chain, i.e. a CA issued by your own PKI; "
            "rotate it there and replace the file"
        )
    return cert


def _new_store(confdir: Path) -> Path:
    """A fresh CA, as mitmproxy creates it, in a private temporary directory in confdir."""
    tmp = Path(tempfile.mkdtemp(prefix=".ca-new-", dir=confdir))  # mode 0700
    CertStore.create_store(tmp, BASENAME, KEY_SIZE)
    return tmp


def prepare_rotation(confdir: Path) -> tuple[x509.Certificate, bool]:
    """Create the next CA in `<confdir>/next/` (unless one is prepared already) and rewrite
    the bundle; mitmproxy keeps signing with the active CA. Returns the next certificate
    and whether it was created now."""
    _check_rotatable(confdir)
    existing = next_cert(confdir)
    if existing is not None:
        write_bundle(confdir)
        return existing, False
    tmp = _new_store(confdir)
    (tmp / f"{BASENAME}-dhparam.pem").unlink(missing_ok=True)
    os.replace(tmp, confdir / NEXT_DIR)
    write_bundle(confdir)
    cert = next_cert(confdir)
    assert cert is not None
    return cert, True


@dataclass(frozen=True)
class Rotation:
    new: x509.Certificate
    old: x509.Certificate
    retired_dir: Path
    remove_after: datetime
    was_prepared: bool  # the new CA came from prepare_rotation (clients may trust it already)
    bundle: Path


def _retired_dir(confdir: Path, now: datetime) -> Path:
    base = confdir / RETIRED_DIR
    base.mkdir(mode=0o700, exist_ok=True)
    base.chmod(0o700)
    name = now.date().isoformat()
    for n in range(1, 1000):
        target = base / (name if n == 1 else f"{name}.{n}")
        try:
            target.mkdir(mode=0o700)
        except FileExistsError:
            continue
        target.chmod(0o700)
        return target
    raise CaError(f"too many rotations on {name}")  # pragma: no cover


def rotate(
    confdir: Path, overlap_days: int = DEFAULT_OVERLAP_DAYS, now: datetime | None = None
) -> Rotation:
    """Make the prepared next CA (or a fresh one) the active CA. The old CA's files move to
    `<confdir>/retired/<date>/` with a retired.json (fingerprint, end of the overlap); the
    bundle then holds the new CA and the retired ones still in their overlap."""
    if overlap_days < 0:
        raise CaError("the overlap cannot be negative")
    now = now or datetime.now(UTC)
    old = _check_rotatable(confdir)
    staged = confdir / NEXT_DIR
    was_prepared = (staged / CA_FILE).exists()
    source = staged if was_prepared else _new_store(confdir)
    new = _read_cert(source / CA_FILE)[0]
    target = _retired_dir(confdir, now)
    for name in CA_FILES:
        if (confdir / name).exists():
            os.replace(confdir / name, target / name)
    for name in CA_FILES:
        os.replace(source / name, confdir / name)
    shutil.rmtree(source)
    remove_after = now + timedelta(days=overlap_days)
    (target / RETIRED_INFO).write_text(
        json.dumps(
            {
                "sha256": fingerprint(old),
                "subject": old.subject.rfc4514_string(),
                "retired_at": now.isoformat(timespec="seconds"),
                "overlap_days": overlap_days,
                "remove_after": remove_after.isoformat(timespec="seconds"),
                "replaced_by_sha256": fingerprint(new),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    bundle = write_bundle(confdir, now)
    return Rotation(new, old, target, remove_after, was_prepared, bundle)
