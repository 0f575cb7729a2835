"""Re-identify a user pseudonym — deliberately, with a reason, and on the record.

Pseudonyms are one-way keyed hashes (store/keys.py): nothing can be decrypted. To
find out who `u-…` is, compute the pseudonym of each candidate user name (from a
list, e.g. the proxy's htpasswd or a directory export, and/or the policy's groups)
with the gateway's key and compare. Without the right key nothing matches, and this
module never creates a key. Every attempt is written to `reidentify_audit` (who,
when, why, which pseudonym, found or not — never the identity) before the result is
returned.
"""

from __future__ import annotations

import hmac
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from policy.model import Policy
from store.findings_store import FindingsStore
from store.keys import pseudonym

PSEUDONYM = re.compile(r"^u-[0-9a-f]{16}$")
MIN_REASON = 10


class ReidentifyError(Exception):
    """Cannot re-identify (no key, a bad key, bad input); the message says why."""


def load_key(path: str | Path) -> bytes:
    """The existing key file — a missing or unreadable key is an error, never a new key."""
    file = Path(path)
    if not file.is_file():
        raise ReidentifyError(
            f"{file}: no key file. Re-identification needs the gateway's own key "
            "(the '<db>.key' next to the database); none was created."
        )
    mode = stat.S_IMODE(file.stat().st_mode)
    if mode & 0o077:
        raise ReidentifyError(
            f"{file}: key file is readable by others (mode {mode:o}); run 'chmod 600 {file}'"
        )
    try:
        text = file.read_text("ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReidentifyError(f"{file}: cannot read the key file ({exc})") from None
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise ReidentifyError(f"{file}: not a Leitplanke key file (hex expected)") from None
    if len(key) < 16:
        raise ReidentifyError(f"{file}: key too short ({len(key)} bytes)")
    return key


def check_request(pseudonym_: str, reason: str, requested_by: str) -> None:
    if not PSEUDONYM.match(pseudonym_):
        raise ReidentifyError(
            f"{pseudonym_!r} is not a Leitplanke pseudonym (u- and 16 hex digits)"
        )
    if len(reason.strip()) < MIN_REASON:
        raise ReidentifyError(
            f"--reason must say why (at least {MIN_REASON} characters), "
            "e.g. the incident or ticket number"
        )
    if not requested_by.strip():
        raise ReidentifyError("--requested-by must name who asks")


def read_candidates(path: str | Path) -> list[str]:
    """One user name per line; blank lines and `#` comments skipped. htpasswd lines
    (`name:hash`) give their name (user names cannot contain ':' in Basic auth)."""
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReidentifyError(f"{path}: cannot read the candidates ({exc})") from None
    names = []
    for line in text.splitlines():
        name = line.strip()
        if not name or name.startswith("#"):
            continue
        names.append(name.split(":", 1)[0].strip())
    return [n for n in names if n]


def policy_users(policy: Policy) -> list[str]:
    """The user names listed in the policy's groups."""
    return [user for group in policy.groups.values() for user in group.users]


def find(key: bytes, target: str, candidates: Iterable[str]) -> str | None:
    """The candidate whose pseudonym is `target` (as written, else lower-cased:
    proxy logins may differ in case from the list)."""
    seen: set[str] = set()
    for name in candidates:
        for variant in (name, name.lower()):
            if variant in seen:
                continue
            seen.add(variant)
            if hmac.compare_digest(pseudonym(key, variant), target):
                return variant
    return None


def reidentify(
    store: FindingsStore,
    key: bytes,
    target: str,
    candidates: Iterable[str],
    *,
    requested_by: str,
    reason: str,
) -> str | None:
    """Check the request, search the candidates, write the audit row, then return
    the matching name (or None). If the audit cannot be written, raises — and the
    result is not returned."""
    check_request(target, reason, requested_by)
    match = find(key, target, candidates)
    store.record_reidentify_audit(
        target, requested_by.strip(), reason.strip(), found=match is not None
    )
    return match
