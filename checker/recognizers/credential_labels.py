"""Label words of the credential recognizer that its prefilter triggers are made of.

Kept apart from the recognizer (which imports Presidio) so that the gateway's prefilter
(checker/triggers.py) reads them without Presidio; CredentialRecognizer exposes the same
tuples as class attributes.
"""

from __future__ import annotations

# The label words of _PASSWORD_LABEL and the words every _KEY_LABEL ends with
# (the prefilter's triggers, checked in tests/checker/test_prefilter.py).
PASSWORD_LABELS = ("passwort", "kennwort", "password", "passwd", "pwd", "pass", "pin")
KEY_LABELS = ("key", "secret", "token", "bearer", "basic")
# Prose passwords, "user x / y" and "mysql … -p": their own prefilter words.
PROSE_LABELS = ("passw", "kennw", "pw", "pin", "zugangscode", "wlan-schlüssel", "wifi key")
USER_LABELS = ("user", "benutzer", "login", "nutzer")
CLI_LABELS = ("mysql", "mariadb")
