"""PolicyVersions: one policy_versions row per version that becomes active."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from mitmproxy.test import taddons, tflow

from proxy_addon.policy_source import PolicySource
from proxy_addon.policy_versions import PolicyVersions
from proxy_addon.recorder import Recorder

POLICY = """\
version: {version}
organization: Muster GmbH
contact: datenschutz@muster.example
data_classes:
  personal: {{label: {{de: Personenbezogene Daten}}, entities: [EMAIL_ADDRESS]}}
on_violation: {{personal: block}}
"""


def rows(db: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "select version_id, first_seen, source, organization from policy_versions "
            "order by first_seen"
        ).fetchall()


async def test_versions_are_recorded_once_each(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY.format(version=1), "utf-8")
    db = tmp_path / "f.db"
    source = PolicySource()
    recorder = Recorder()
    addon = PolicyVersions(source, recorder)
    with taddons.context(source, recorder, addon) as tctx:
        tctx.configure(source, leitplanke_policy=str(policy), leitplanke_workers=0)
        tctx.configure(recorder, leitplanke_db=str(db))
        assert source.active is not None
        first = source.active.loaded.version_id

        addon.running()
        addon.request(tflow.tflow())  # same version: nothing new
        await addon.flush()
        recorder.flush()
        ((version_id, first_seen, src, organization),) = rows(db)
        assert (version_id, src, organization) == (first, str(policy), "Muster GmbH")

        policy.write_text(POLICY.format(version=2), "utf-8")
        os.utime(policy, ns=(1, 1))  # a different mtime, whatever the clock
        assert source.reload_if_changed()
        second = source.active.loaded.version_id
        assert second != first
        addon.request(tflow.tflow())
        addon.request(tflow.tflow())
        await addon.flush()
        recorder.flush()
        assert [r[0] for r in rows(db)] == [first, second]

        # Back to version 1: known already, its first_seen stays.
        policy.write_text(POLICY.format(version=1), "utf-8")
        os.utime(policy, ns=(2, 2))
        assert source.reload_if_changed()
        addon.request(tflow.tflow())
        await addon.flush()
        recorder.flush()
        assert rows(db)[0][:2] == (first, first_seen) and len(rows(db)) == 2
        source.done()
        recorder.done()


async def test_nothing_before_the_store_is_open(tmp_path: Path) -> None:
    source = PolicySource()
    recorder = Recorder()
    addon = PolicyVersions(source, recorder)
    addon.running()  # no active policy, no store: no error, no write
    await addon.flush()
    assert addon.last is None
