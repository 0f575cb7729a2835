"""`leitplanke ca export|rotate`: public certificate only, rotation with an overlap."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from mitmproxy.certs import CertStore

from cli import ca_files
from cli.ca_command import ca
from cli.ca_files import (
    BUNDLE_FILE,
    CA_FILE,
    CA_FILES,
    CERT_FILE,
    NEXT_DIR,
    RETIRED_DIR,
    RETIRED_INFO,
    CaError,
)


@pytest.fixture(scope="module")
def confdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CA for the export tests (RSA key generation is the slow part)."""
    path = tmp_path_factory.mktemp("ca") / "confdir"
    result = CliRunner().invoke(ca, ["export", "--create", "--confdir", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _key_der(path: Path) -> bytes:
    key = serialization.load_pem_private_key((path / CA_FILE).read_bytes(), None)
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _raw_key_numbers(path: Path) -> list[bytes]:
    """The key as DER (PKCS#1 and PKCS#8) and its private exponent: none may leak."""
    key = serialization.load_pem_private_key((path / CA_FILE).read_bytes(), None)
    pkcs1 = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    d = key.private_numbers().d  # type: ignore[union-attr]
    return [_key_der(path), pkcs1, d.to_bytes((d.bit_length() + 7) // 8, "big")]


def _active(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificates((path / CA_FILE).read_bytes())[0]


def _export(path: Path, *args: str) -> tuple[bytes, str]:
    runner = CliRunner()
    result = runner.invoke(ca, ["export", "--confdir", str(path), *args])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes, result.stderr


def test_export_refuses_a_confdir_without_a_ca(tmp_path: Path) -> None:
    """Never silently a new CA somewhere else: it would be rolled out and never used."""
    path = tmp_path / "elsewhere"
    result = CliRunner().invoke(ca, ["export", "--confdir", str(path)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "is that the gateway's confdir?" in result.stderr
    assert "'confdir:' of /etc/leitplanke/config.yaml" in result.stderr
    assert not path.exists()


def test_export_reads_the_confdir_from_the_config_file(confdir: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"confdir: {confdir}\n", encoding="utf-8")
    result = CliRunner().invoke(ca, ["export", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert x509.load_pem_x509_certificate(result.stdout_bytes) == _active(confdir)
    by_env = CliRunner().invoke(ca, ["export"], env={"LEITPLANKE_CONFIG": str(config)})
    assert by_env.stdout_bytes == result.stdout_bytes


def test_init_names_the_ca_for_the_company(tmp_path: Path) -> None:
    path = tmp_path / "conf"
    result = CliRunner().invoke(ca, ["init", "--org", "Muster GmbH", "--confdir", str(path)])
    assert result.exit_code == 0, result.output
    subject = _active(path).subject.rfc4514_string()
    assert subject == "O=Muster GmbH,CN=Muster GmbH Leitplanke CA"
    assert stat.S_IMODE((path / CA_FILE).stat().st_mode) == 0o600
    store = CertStore.from_store(path, basename="mitmproxy", key_size=2048)  # mitmproxy reads it
    assert store.default_ca.to_cryptography() == _active(path)
    again = CliRunner().invoke(ca, ["init", "--org", "Other AG", "--confdir", str(path)])
    assert again.exit_code == 2 and "never overwritten" in again.stderr


def test_export_creates_the_ca_as_mitmproxy_does(tmp_path: Path) -> None:
    path = tmp_path / "new"
    result = CliRunner().invoke(ca, ["export", "--create", "--confdir", str(path)])
    assert result.exit_code == 0, result.output
    assert "created a new CA" in result.stderr
    # the same files, names and modes mitmproxy's CertStore writes
    assert sorted(p.name for p in path.iterdir()) == sorted([*CA_FILES, "mitmproxy-dhparam.pem"])
    assert stat.S_IMODE((path / CA_FILE).stat().st_mode) == 0o600
    assert stat.S_IMODE((path / "mitmproxy-ca.p12").stat().st_mode) == 0o600
    store = CertStore.from_store(path, basename="mitmproxy", key_size=2048)
    assert store.default_ca.to_cryptography() == _active(path)
    assert x509.load_pem_x509_certificate(result.stdout_bytes) == _active(path)
    # a second export reuses it
    again = CliRunner().invoke(ca, ["export", "--confdir", str(path)])
    assert again.stdout_bytes == result.stdout_bytes and "created" not in again.stderr


def test_export_uses_an_existing_ca(tmp_path: Path) -> None:
    CertStore.create_store(tmp_path, "mitmproxy", 2048)
    before = (tmp_path / CA_FILE).read_bytes()
    out, err = _export(tmp_path)
    assert x509.load_pem_x509_certificate(out) == _active(tmp_path)
    assert (tmp_path / CA_FILE).read_bytes() == before and "created" not in err


@pytest.mark.parametrize("fmt", ["pem", "der", "p12"])
def test_export_formats_parse_and_hold_no_key(confdir: Path, fmt: str) -> None:
    out, err = _export(confdir, "--format", fmt)
    active = _active(confdir)
    if fmt == "pem":
        assert x509.load_pem_x509_certificate(out) == active
    elif fmt == "der":
        assert x509.load_der_x509_certificate(out) == active
    else:
        key, cert, extra = pkcs12.load_key_and_certificates(out, None)
        assert key is None
        assert [c for c in [cert, *extra] if c is not None] == [active]
    assert b"PRIVATE KEY" not in out
    for secret in _raw_key_numbers(confdir):
        assert secret not in out
    assert ca_files.fingerprint(active) in err
    assert "SHA-256 fingerprint: " in err


def test_export_to_a_file(confdir: Path, tmp_path: Path) -> None:
    target = tmp_path / "gateway-ca.cer"
    out, err = _export(confdir, "--format", "der", "--output", str(target))
    assert out == b""
    assert x509.load_der_x509_certificate(target.read_bytes()) == _active(confdir)
    assert ca_files.thumbprint(_active(confdir)) in err


def test_der_bundle_and_conflicting_flags_are_refused(confdir: Path) -> None:
    runner = CliRunner()
    der = runner.invoke(ca, ["export", "--confdir", str(confdir), "--bundle", "--format", "der"])
    assert der.exit_code == 2 and "DER holds one certificate" in der.output
    both = runner.invoke(ca, ["export", "--confdir", str(confdir), "--bundle", "--next"])
    assert both.exit_code == 2
    no_next = runner.invoke(ca, ["export", "--confdir", str(confdir), "--next"])
    assert no_next.exit_code == 2 and "ca rotate --prepare" in no_next.stderr


def test_unreadable_ca_is_an_error(tmp_path: Path) -> None:
    (tmp_path / CA_FILE).write_text("not a certificate")
    result = CliRunner().invoke(ca, ["export", "--confdir", str(tmp_path)])
    assert result.exit_code == 2 and "cannot read the CA certificate" in result.stderr


def test_rotate_without_a_ca_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(ca, ["rotate", "--confdir", str(tmp_path)])
    assert result.exit_code == 2 and "no CA in" in result.stderr
    assert not (tmp_path / RETIRED_DIR).exists()


def _bundle(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates((path / BUNDLE_FILE).read_bytes())


def test_rotate_replaces_the_ca_and_keeps_the_old_one(tmp_path: Path) -> None:
    CertStore.create_store(tmp_path, "mitmproxy", 2048)
    old = _active(tmp_path)
    old_key = _key_der(tmp_path)
    result = CliRunner().invoke(ca, ["rotate", "--confdir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    new = _active(tmp_path)
    assert new != old and new.public_key() != old.public_key()
    assert _key_der(tmp_path) != old_key
    # the active files are a complete, consistent mitmproxy CA
    for name in CA_FILES:
        assert (tmp_path / name).exists()
    assert stat.S_IMODE((tmp_path / CA_FILE).stat().st_mode) == 0o600
    assert x509.load_pem_x509_certificate((tmp_path / CERT_FILE).read_bytes()) == new
    store = CertStore.from_store(tmp_path, basename="mitmproxy", key_size=2048)
    assert store.default_ca.to_cryptography() == new
    # the old CA, key included, in retired/<date>/ (0700)
    today = datetime.now(UTC).date().isoformat()
    retired = tmp_path / RETIRED_DIR / today
    assert stat.S_IMODE((tmp_path / RETIRED_DIR).stat().st_mode) == 0o700
    assert stat.S_IMODE(retired.stat().st_mode) == 0o700
    assert sorted(p.name for p in retired.iterdir()) == sorted([*CA_FILES, RETIRED_INFO])
    assert stat.S_IMODE((retired / CA_FILE).stat().st_mode) == 0o600
    assert _active(retired) == old and _key_der(retired) == old_key
    info = json.loads((retired / RETIRED_INFO).read_text())
    assert info["sha256"] == ca_files.fingerprint(old)
    assert info["replaced_by_sha256"] == ca_files.fingerprint(new)
    remove_after = datetime.fromisoformat(info["remove_after"])
    assert timedelta(days=29) < remove_after - datetime.now(UTC) <= timedelta(days=30)
    # the bundle for the overlap: both public certificates, no key
    assert _bundle(tmp_path) == [new, old]
    assert b"PRIVATE KEY" not in (tmp_path / BUNDLE_FILE).read_bytes()
    assert not (tmp_path / NEXT_DIR).exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    # what to distribute and when the old one can go
    assert str(tmp_path / BUNDLE_FILE) in result.output
    assert f"after {remove_after:%Y-%m-%d}" in result.output
    assert "was not prepared" in result.output and "Restart" in result.output


def test_second_rotation_keeps_the_history(tmp_path: Path) -> None:
    CertStore.create_store(tmp_path, "mitmproxy", 2048)
    first = _active(tmp_path)
    ca_files.rotate(tmp_path, overlap_days=30)
    second = _active(tmp_path)
    ca_files.rotate(tmp_path, overlap_days=0)
    third = _active(tmp_path)
    assert len({ca_files.fingerprint(c) for c in (first, second, third)}) == 3
    dirs = sorted((tmp_path / RETIRED_DIR).iterdir())
    assert [_active(d) for d in dirs] == [first, second]
    assert dirs[1].name == dirs[0].name + ".2"
    # the bundle: the active CA and the retired one still in its overlap (not the 0-day one)
    assert _bundle(tmp_path) == [third, first]
    later = datetime.now(UTC) + timedelta(days=31)
    assert ca_files.trusted_certs(tmp_path, later) == [third]


def test_prepare_then_rotate(tmp_path: Path) -> None:
    runner = CliRunner()
    CertStore.create_store(tmp_path, "mitmproxy", 2048)
    old = _active(tmp_path)
    prepared = runner.invoke(ca, ["rotate", "--confdir", str(tmp_path), "--prepare"])
    assert prepared.exit_code == 0, prepared.output
    upcoming = _active(tmp_path / NEXT_DIR)
    assert _active(tmp_path) == old  # the gateway still signs with the old CA
    assert stat.S_IMODE((tmp_path / NEXT_DIR).stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / NEXT_DIR / CA_FILE).stat().st_mode) == 0o600
    assert _bundle(tmp_path) == [upcoming, old]
    # export for distribution: the bundle or only the next CA
    out, _ = _export(tmp_path, "--bundle")
    assert x509.load_pem_x509_certificates(out) == [upcoming, old]
    p12, _ = _export(tmp_path, "--bundle", "--format", "p12")
    key, cert, extra = pkcs12.load_key_and_certificates(p12, None)
    assert key is None and {c for c in [cert, *extra] if c} == {upcoming, old}
    nxt, _ = _export(tmp_path, "--next", "--format", "der")
    assert x509.load_der_x509_certificate(nxt) == upcoming
    for data in (out, p12, nxt):
        assert b"PRIVATE KEY" not in data
        assert _key_der(tmp_path / NEXT_DIR) not in data and _key_der(tmp_path) not in data
    # preparing again keeps the prepared CA
    again = runner.invoke(ca, ["rotate", "--confdir", str(tmp_path), "--prepare"])
    assert "already prepared" in again.output and _active(tmp_path / NEXT_DIR) == upcoming
    # the rotation activates exactly the prepared CA
    rotated = runner.invoke(ca, ["rotate", "--confdir", str(tmp_path), "--overlap-days", "7"])
    assert rotated.exit_code == 0, rotated.output
    assert _active(tmp_path) == upcoming and not (tmp_path / NEXT_DIR).exists()
    assert "was not prepared" not in rotated.output
    assert _bundle(tmp_path) == [upcoming, old]
    (retired,) = (tmp_path / RETIRED_DIR).iterdir()
    assert json.loads((retired / RETIRED_INFO).read_text())["overlap_days"] == 7


def test_a_ca_chain_from_an_own_pki_is_not_rotated(tmp_path: Path) -> None:
    CertStore.create_store(tmp_path, "mitmproxy", 2048)
    data = (tmp_path / CA_FILE).read_bytes()
    (tmp_path / CA_FILE).write_bytes(data + (tmp_path / CERT_FILE).read_bytes())
    with pytest.raises(CaError, match="certificate chain"):
        ca_files.rotate(tmp_path)
    assert (tmp_path / CA_FILE).read_bytes().startswith(data)


def test_negative_overlap_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(ca, ["rotate", "--confdir", str(tmp_path), "--overlap-days", "-1"])
    assert result.exit_code == 2


def test_after_rotation_the_gateway_signs_with_the_new_ca(tmp_path: Path) -> None:
    """Both CAs are named CN=mitmproxy; a client trusting the bundle still finds the right
    one (key identifiers), a client with only the old CA rejects the gateway."""
    from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

    CertStore.create_store(tmp_path, "mitmproxy", 2048)
    old = _active(tmp_path)
    ca_files.prepare_rotation(tmp_path)
    ca_files.rotate(tmp_path)
    store = CertStore.from_store(tmp_path, basename="mitmproxy", key_size=2048)
    host = "api.openai.com"
    leaf = store.get_cert(host, [x509.DNSName(host)]).cert.to_cryptography()

    def verify(trusted: list[x509.Certificate]) -> list[x509.Certificate]:
        builder = PolicyBuilder().store(Store(trusted)).time(datetime.now(UTC))
        return builder.build_server_verifier(x509.DNSName(host)).verify(leaf, [])

    assert verify([old, *_bundle(tmp_path)])[-1] == _active(tmp_path)
    with pytest.raises(VerificationError):
        verify([old])
