"""The notifier's settings: the `notify:` section of the gateway's config file
(/etc/leitplanke/config.yaml, cli/proxy_config.py reads and locates it).

    notify:
      smtp: {host: mail.muster.example, port: 587, starttls: true,
             user: leitplanke, password_file: /etc/leitplanke/smtp.password}
      from: leitplanke@muster.example
      to: [datenschutz@muster.example]
      review_url: https://leitplanke-review.muster.example
      every_minutes: 15      # at most one mail per this many minutes
      lang: de

The password lives in its own file (mode 0600 or a systemd credential), never in the
config; a relative password_file is relative to the config file's directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

EXAMPLE = "notify: {smtp: {host: mail.example}, from: leitplanke@example, to: [dsb@example]}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Smtp(_Strict):
    host: StrictStr
    port: int = Field(default=587, ge=1, le=65535)
    starttls: StrictBool = True  # upgrade with STARTTLS (port 587); false: plain (local relay)
    ssl: StrictBool = False  # implicit TLS (port 465)
    user: StrictStr | None = None
    password_file: StrictStr | None = None
    timeout_s: float = Field(default=30.0, gt=0)
    # A CA bundle for a mail server whose certificate a private CA signed (else the
    # system's trust store); the certificate and host name are always checked.
    ca_file: StrictStr | None = None


class NotifyConfig(_Strict):
    smtp: Smtp
    mail_from: StrictStr = Field(alias="from")
    to: tuple[StrictStr, ...] = Field(min_length=1)
    review_url: StrictStr = "http://127.0.0.1:8001"
    every_minutes: int = Field(default=15, ge=0)
    lang: Literal["de", "en"] = "de"
    max_links: int = Field(default=20, ge=0)


class NotifyConfigError(Exception):
    """The notifier's settings are missing or unusable (one line per problem)."""


@dataclass(frozen=True)
class Loaded:
    config: NotifyConfig
    password: str | None
    ca_file: Path | None = None


def _near(base: Path | None, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() or base is None else base / path


def load_notify(config: NotifyConfig | None, source: str, base: Path | None = None) -> Loaded:
    """The notifier's settings from a validated `notify:` section; reads the password
    file. `source` names the config file in messages, `base` anchors relative paths."""
    if config is None:
        raise NotifyConfigError(
            f"{source}: no 'notify:' section — add one, e.g. '{EXAMPLE}' (docs/dpo-guide.md)"
        )
    password = None
    if config.smtp.password_file:
        path = _near(base, config.smtp.password_file)
        try:
            password = path.read_text("utf-8").strip()
        except OSError as exc:
            raise NotifyConfigError(
                f"{source}: notify.smtp.password_file {path}: cannot read: {exc.strerror}"
            ) from None
    if config.smtp.user and password is None:
        raise NotifyConfigError(
            f"{source}: notify.smtp.user is set: notify.smtp.password_file is needed too"
        )
    ca_file = None
    if config.smtp.ca_file:
        ca_file = _near(base, config.smtp.ca_file)
        if not ca_file.is_file():
            raise NotifyConfigError(f"{source}: notify.smtp.ca_file {ca_file}: no such file")
    return Loaded(config, password, ca_file)
