"""Build and serve the DPO's review UI: a Datasette instance over the findings store.

Everything requires a login (datasette-auth-passwords, account `dpo`). Raw tables
are neither listed nor browsable, arbitrary SQL is off and the database cannot be
downloaded: the DPO sees only the canned queries (review/queries.py), the finding
detail with its triage form, and the dashboard. The only writes are triage states.
"""

from __future__ import annotations

import asyncio
import os
from importlib.resources import files
from pathlib import Path
from typing import Any

from datasette.app import Datasette
from datasette.database import Database
from datasette.plugins import pm

from review import plugin
from review.queries import DATABASE, canned_queries
from review.texts import texts

PASSWORD_HASH_ENV = "LEITPLANKE_REVIEW_PASSWORD_HASH"
SECRET_ENV = "LEITPLANKE_REVIEW_SECRET"
ACCOUNT = "dpo"
TABLES = (
    "decisions",
    "findings",
    "usage",
    "coaching",
    "approval_requests",
    "triage",
    "reidentify_audit",
    "policy_versions",
    "_sqlite_migrations",
)


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
    lang: str = "de", password_hash_file: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
    t = texts(lang)
    deny = {"allow": False, "hidden": True}
    return {
        "title": t["title"],
        "description": t["description"],
        "allow": {"id": "*"},  # view-instance: every page needs a logged-in actor
        "allow_sql": False,  # no ad-hoc SQL: canned queries only
        "databases": {
            DATABASE: {
                "title": t["title"],
                "allow_sql": False,
                "tables": {table: dict(deny) for table in TABLES},
                "queries": canned_queries(lang),
            }
        },
        "plugins": {
            "datasette-auth-passwords": {
                f"{ACCOUNT}_password_hash": password_hash_config(password_hash_file),
                "actors": {ACCOUNT: {"id": ACCOUNT, "name": "Datenschutz"}},
            },
            plugin.PLUGIN: {"lang": lang},
        },
    }


def register_plugin() -> None:
    if not pm.is_registered(plugin):
        pm.register(plugin, name=plugin.PLUGIN)


def build_datasette(
    db_path: str | os.PathLike[str],
    lang: str = "de",
    password_hash_file: str | os.PathLike[str] | None = None,
    secret: str | None = None,
) -> Datasette:
    """The review UI over the findings store at `db_path` (opened read-write for triage)."""
    path = Path(db_path)
    if not path.is_file():
        raise FileNotFoundError(f"findings database not found: {path}")
    register_plugin()
    ds = Datasette(
        [],
        metadata=build_metadata(lang, password_hash_file),
        template_dir=template_dir(),
        settings={
            "allow_download": False,
            "allow_facet": False,
            "suggest_facets": False,
            "default_allow_sql": False,
            "allow_csv_stream": False,
        },
        secret=secret or os.environ.get(SECRET_ENV) or None,
    )
    # A fixed database name, whatever the file is called: stable URLs (/leitplanke/...).
    ds.add_database(Database(ds, path=str(path), is_mutable=True), name=DATABASE)
    return ds


def serve(ds: Datasette, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve `ds` with uvicorn until interrupted (as `datasette serve` does)."""
    import uvicorn

    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")
