"""The KeyFiles addon: refuse to run with a CA private key others can read.

Whoever can read the gateway's CA key can impersonate every AI service to every
employee's browser. mitmproxy creates it owner-only; this check makes sure nobody
loosened that (a copied confdir, a wrong umask, a backup restore). The findings
key file gets the same check when the Recorder loads it (store/keys.py).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from mitmproxy import ctx, exceptions

# mitmproxy's private-key files in its confdir (the *-cert.* files are public).
CA_KEY_FILES = ("mitmproxy-ca.pem", "mitmproxy-ca.p12")


def loose_key_files(confdir: Path) -> list[str]:
    """Private-key files in confdir that group or others may read or write."""
    loose = []
    for name in CA_KEY_FILES:
        path = confdir / name
        if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            loose.append(f"{path} (mode {stat.S_IMODE(path.stat().st_mode):o})")
    return loose


class KeyFiles:
    def configure(self, updated: set[str]) -> None:
        if "confdir" not in updated:
            return
        confdir = Path(os.path.expanduser(ctx.options.confdir))
        if loose := loose_key_files(confdir):
            files = ", ".join(loose)
            raise exceptions.OptionsError(
                f"CA private key readable by others: {files}; run 'chmod 600' on it "
                "(anyone who can read it can impersonate every AI service)"
            )
