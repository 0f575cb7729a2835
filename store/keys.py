"""The secret key behind keyed hashes and user pseudonyms.

Kept in its own file (mode 0600) next to the database, never inside it: whoever
holds only the database cannot recompute or test hashes of guessed values.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

KEY_BYTES = 32


class KeyFileError(Exception):
    pass


def default_key_path(db_path: str | Path) -> Path:
    db = Path(db_path)
    return db.with_name(db.name + ".key")


def load_or_create_key(path: str | Path) -> bytes:
    file = Path(path)
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(KEY_BYTES) + "\n")
    mode = stat.S_IMODE(file.stat().st_mode)
    if mode & 0o077:
        raise KeyFileError(
            f"{file}: key file is readable by others (mode {mode:o}); run 'chmod 600 {file}'"
        )
    try:
        key = bytes.fromhex(file.read_text().strip())
    except ValueError as exc:
        raise KeyFileError(f"{file}: not a hex key; delete it to create a new one") from exc
    if len(key) < 16:
        raise KeyFileError(f"{file}: key too short ({len(key)} bytes)")
    return key


def derive(key: bytes, purpose: str) -> bytes:
    """Separate sub-keys for value hashes and user pseudonyms."""
    return hmac.new(key, purpose.encode(), hashlib.sha256).digest()


def pseudonym(key: bytes, user: str) -> str:
    digest = hmac.new(derive(key, "user-pseudonym"), user.encode(), hashlib.sha256).hexdigest()
    return "u-" + digest[:16]
