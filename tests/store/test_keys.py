from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from store.keys import KeyFileError, default_key_path, load_or_create_key, pseudonym


def test_key_is_created_with_mode_0600_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "leitplanke.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(path) == key


def test_world_readable_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    load_or_create_key(path)
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_or_create_key(path)


def test_garbage_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    path.write_text("not hex")
    os.chmod(path, 0o600)
    with pytest.raises(KeyFileError, match="not a hex key"):
        load_or_create_key(path)


def test_default_key_path_sits_next_to_the_db(tmp_path: Path) -> None:
    assert default_key_path(tmp_path / "f.db") == tmp_path / "f.db.key"


def test_pseudonyms_are_stable_per_key_and_hide_the_user() -> None:
    a, b = b"a" * 32, b"b" * 32
    assert pseudonym(a, "m.mueller") == pseudonym(a, "m.mueller")
    assert pseudonym(a, "m.mueller") != pseudonym(a, "k.schmidt")
    assert pseudonym(a, "m.mueller") != pseudonym(b, "m.mueller")
    assert "mueller" not in pseudonym(a, "m.mueller")
