"""Build and serve the DPO's review UI: a Datasette instance over the findings store.

Everything requires a login (datasette-auth-passwords: the account `dpo` and any
further named accounts, e.g. a deputy and IT security, each with its own password
hash). Raw tables are neither listed nor browsable, arbitrary SQL is off and the
database cannot be downloaded: reviewers see the SQL views of review/views.py (with
Datasette's filters, facets, sorting, pagination and exports), the finding and
approval pages and the dashboard. The only writes are triage and approval answers,
each kept as a history row.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import datasette.handle_exception as datasette_errors
from datasette.app import Datasette
from datasette.database import Database
from datasette.plugins import pm

from policy.loader import PolicyError, load_policy
from policy.model import Policy
from review import plugin
from review.labels import Labels
from review.texts import texts
from review.views import DATABASE, view_metadata

PASSWORD_HASH_ENV = "LEITPLANKE_REVIEW_PASSWORD_HASH"
SECRET_ENV = "LEITPLANKE_REVIEW_SECRET"
ACCOUNT = "dpo"
TABLES = (
    "decisions",
    "findings",
    "usage",
    "coaching",
    "approval_requests",
    "approval_decisions",
    "triage",
    "triage_history",
    "reidentify_audit",
    "policy_versions",
    "node_info",
    "merged_nodes",
    "notify_marks",
    "_sqlite_migrations",
)
log = logging.getLogger("leitplanke.review")


def template_dir() -> str:
    return str(files("review").joinpath("templates"))


def password_hash_config(password_hash_file: str | os.PathLike[str] | None) -> dict[str, str]:
    """Where datasette-auth-passwords reads the hash: a file, else the environment.

    Datasette resolves `$file`/`$env` when the plugin asks for its configuration, so
    the hash never appears in /-/metadata.
    """
    if password_hash_file is not None:
        return {"$file": str(Path(password_hash_file).resolve())}
    return {"$env": PASSWORD_HASH_ENV}


def build_metadata(
    lang: str = "de",
    password_hash_file: str | os.PathLike[str] | None = None,
    accounts: Mapping[str, str | os.PathLike[str]] | None = None,
) -> dict[str, Any]:
    """`accounts`: further logins (name -> password hash file) besides `dpo`."""
    t = texts(lang)
    deny = {"allow": False, "hidden": True}
    auth: dict[str, Any] = {f"{ACCOUNT}_password_hash": password_hash_config(password_hash_file)}
    actors = {ACCOUNT: {"id": ACCOUNT, "name": ACCOUNT}}
    for name, hash_file in (accounts or {}).items():
        auth[f"{name}_password_hash"] = password_hash_config(hash_file)
        actors[name] = {"id": name, "name": name}
    auth["actors"] = actors
    return {
        "title": t["title"],
        "description": t["description"],
        "allow": {"id": "*"},  # view-instance: every page needs a logged-in actor
        "allow_sql": False,  # no ad-hoc SQL
        "databases": {
            DATABASE: {
                "title": t["title"],
                "allow_sql": False,
                "tables": {table: dict(deny) for table in TABLES} | view_metadata(t),
            }
        },
        "plugins": {
            "datasette-auth-passwords": auth,
            plugin.PLUGIN: {"lang": lang},
        },
    }


def register_plugin() -> None:
    if not pm.is_registered(plugin):
        pm.register(plugin, name=plugin.PLUGIN)


def review_policy(db_path: str | os.PathLike[str], policy_file: str | None = None) -> Policy:
    """The policy whose labels the UI shows: the given file, else the newest policy
    version the gateway recorded (if its file is readable), else the embedded default."""
    if policy_file is not None:
        return load_policy(policy_file).policy
    try:
        with sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True) as conn:
            row = conn.execute(
                "select source from policy_versions order by first_seen desc limit 1"
            ).fetchone()
    except sqlite3.Error:
        row = None
    source = row[0] if row else None
    if source and Path(source).is_file():
        try:
            return load_policy(source).policy
        except (PolicyError, OSError) as exc:
            log.warning("review: recorded policy %s not readable (%s)", source, type(exc).__name__)
    return load_policy(None).policy


def build_datasette(
    db_path: str | os.PathLike[str],
    lang: str = "de",
    password_hash_file: str | os.PathLike[str] | None = None,
    secret: str | None = None,
    accounts: Mapping[str, str | os.PathLike[str]] | None = None,
    policy: Policy | None = None,
) -> Datasette:
    """The review UI over the findings store at `db_path` (opened read-write for triage)."""
    path = Path(db_path)
    if not path.is_file():
        raise FileNotFoundError(f"findings database not found: {path}")
    # The views and history tables come from the store's migrations: bring an older
    # database up to date (the gateway would do the same when it next starts).
    from store.findings_store import FindingsStore

    FindingsStore(path).close()
    register_plugin()
    # Datasette's default error handler prints every exception, 404s included, with
    # its local variables (request headers, cookies) and fails itself on a 404 raised
    # outside an except block (HTTP 500). The plugin's handler logs one line instead.
    datasette_errors.rich = None
    ds = Datasette(
        [],
        metadata=build_metadata(lang, password_hash_file, accounts),
        template_dir=template_dir(),
        settings={
            "allow_download": False,
            # Facets come from the metadata (review/views.py); ?_facet= from the URL
            # would only let anyone make Datasette run (and print) failing SQL.
            "allow_facet": False,
            "suggest_facets": False,
            "default_allow_sql": False,
            "allow_csv_stream": True,
            "default_page_size": 100,
            "max_returned_rows": 1000,
            "facet_time_limit_ms": 2000,
            "sql_time_limit_ms": 5000,
        },
        secret=secret or os.environ.get(SECRET_ENV) or None,
    )
    labels = Labels(lang, policy if policy is not None else review_policy(path))
    setattr(ds, plugin.STATE_ATTR, plugin.ReviewState(labels))  # read by the hooks per call
    # A fixed database name, whatever the file is called: stable URLs (/leitplanke/...).
    ds.add_database(Database(ds, path=str(path), is_mutable=True), name=DATABASE)
    return ds


def serve(ds: Datasette, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve `ds` with uvicorn until interrupted (as `datasette serve` does)."""
    import uvicorn

    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")
