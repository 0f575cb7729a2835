"""Re-identification: only with the right key, never a new key, always audited first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from policy.loader import parse_policy
from store.findings_store import FindingsStore
from store.keys import pseudonym
from store.reidentify import (
    ReidentifyError,
    find,
    load_key,
    policy_users,
    read_candidates,
    reidentify,
)

KEY = bytes(range(32))
OTHER = bytes(range(1, 33))
REASON = "Incident INC-4711: data sent to an unapproved tool"


def key_file(path: Path, key: bytes = KEY, mode: int = 0o600) -> Path:
    path.write_text(key.hex() + "\n")
    path.chmod(mode)
    return path


def test_finds_the_candidate_with_the_right_key_only() -> None:
    target = pseudonym(KEY, "k.schmidt")
    assert find(KEY, target, ["a.meier", "k.schmidt"]) == "k.schmidt"
    assert find(OTHER, target, ["a.meier", "k.schmidt"]) is None


def test_login_case_differs_from_the_list() -> None:
    assert find(KEY, pseudonym(KEY, "k.schmidt"), ["K.Schmidt"]) == "k.schmidt"


def test_missing_key_is_an_error_and_none_is_created(tmp_path: Path) -> None:
    missing = tmp_path / "f.db.key"
    with pytest.raises(ReidentifyError, match="no key file"):
        load_key(missing)
    assert not missing.exists()


def test_key_readable_by_others_or_garbage_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReidentifyError, match="readable by others"):
        load_key(key_file(tmp_path / "a.key", mode=0o644))
    garbage = tmp_path / "b.key"
    garbage.write_text("not hex")
    garbage.chmod(0o600)
    with pytest.raises(ReidentifyError, match="hex"):
        load_key(garbage)
    assert load_key(key_file(tmp_path / "c.key")) == KEY


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_key_is_an_error(tmp_path: Path) -> None:
    path = key_file(tmp_path / "d.key", mode=0o000)
    with pytest.raises(ReidentifyError, match="cannot read"):
        load_key(path)


def test_candidates_file_and_htpasswd_lines(tmp_path: Path) -> None:
    path = tmp_path / "users.txt"
    path.write_text("# exported 2026-11-01\nk.schmidt:$apr1$xyz$abc\n\n  a.meier  \n")
    assert read_candidates(path) == ["k.schmidt", "a.meier"]


def test_policy_group_users() -> None:
    loaded = parse_policy(
        "version: 1\norganization: Muster GmbH\ncontact: dsb@muster.example\n"
        "data_classes:\n  personal: {label: {de: P}, entities: [EMAIL_ADDRESS]}\n"
        "on_violation: {personal: block}\n"
        "groups:\n  vertrieb: {label: {de: V}, users: [k.schmidt, a.meier]}\n",
        "p.yaml",
    )
    assert policy_users(loaded.policy) == ["k.schmidt", "a.meier"]


def test_audit_row_without_identity(tmp_path: Path) -> None:
    store = FindingsStore(tmp_path / "f.db")
    target = pseudonym(KEY, "k.schmidt")
    found = reidentify(store, KEY, target, ["k.schmidt"], requested_by="DSB Müller", reason=REASON)
    missed = reidentify(store, OTHER, target, ["k.schmidt"], requested_by="DSB", reason=REASON)
    assert (found, missed) == ("k.schmidt", None)
    rows = store.reidentify_audit()
    assert [(r["pseudonym"], r["requested_by"], r["found"]) for r in rows] == [
        (target, "DSB Müller", 1),
        (target, "DSB", 0),
    ]
    assert all(r["reason"] == REASON and r["ts"] for r in rows)
    store.close()
    assert b"k.schmidt" not in (tmp_path / "f.db").read_bytes()


@pytest.mark.parametrize(
    ("target", "reason", "who", "message"),
    [
        ("k.schmidt", REASON, "DSB", "not a Leitplanke pseudonym"),
        ("u-0123456789abcdef", "because", "DSB", "at least"),
        ("u-0123456789abcdef", REASON, " ", "requested-by"),
    ],
)
def test_bad_requests_are_refused_without_audit(
    tmp_path: Path, target: str, reason: str, who: str, message: str
) -> None:
    store = FindingsStore(tmp_path / "f.db")
    with pytest.raises(ReidentifyError, match=message):
        reidentify(store, KEY, target, ["k.schmidt"], requested_by=who, reason=reason)
    assert store.reidentify_audit() == []
    store.close()
