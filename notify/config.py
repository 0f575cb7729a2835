"""The notifier's settings: a small YAML file (SMTP server, sender, recipients, batching).

    smtp: {host: mail.muster.example, port: 587, starttls: true,
           user: leitplanke, password_file: /etc/leitplanke/smtp.password}
    from: leitplanke@muster.example
    to: [datenschutz@muster.example]
    review_url: https://leitplanke-review.muster.example
    every_minutes: 15      # at most one mail per this many minutes
    lang: de

The password lives in its own file (mode 0600 or a systemd credential), never here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

from policy.loader import YamlFileError, read_text, read_yaml


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


class NotifyConfig(_Strict):
    smtp: Smtp
    mail_from: StrictStr = Field(alias="from")
    to: tuple[StrictStr, ...] = Field(min_length=1)
    review_url: StrictStr = "http://127.0.0.1:8001"
    every_minutes: int = Field(default=15, ge=0)
    lang: Literal["de", "en"] = "de"
    max_links: int = Field(default=20, ge=0)


class NotifyConfigError(Exception):
    """The notifier's config file is missing or invalid (one line per problem)."""


@dataclass(frozen=True)
class Loaded:
    config: NotifyConfig
    password: str | None


def load_notify_config(path: str | Path) -> Loaded:
    source = str(path)
    try:
        text = read_text(Path(path), "notify config")
        _node, data = read_yaml(text, source)
    except YamlFileError as exc:
        raise NotifyConfigError(str(exc)) from None
    except OSError as exc:
        raise NotifyConfigError(f"{source}: cannot read: {exc.strerror}") from None
    try:
        config = NotifyConfig.model_validate(data or {})
    except ValidationError as exc:
        lines = [
            f"{source}: {'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()
        ]
        raise NotifyConfigError("\n".join(lines)) from None
    password = None
    if config.smtp.password_file:
        try:
            password = Path(config.smtp.password_file).read_text("utf-8").strip()
        except OSError as exc:
            raise NotifyConfigError(
                f"{source}: smtp.password_file {config.smtp.password_file}: cannot read: "
                f"{exc.strerror}"
            ) from None
    if config.smtp.user and password is None:
        raise NotifyConfigError(f"{source}: smtp.user is set: smtp.password_file is needed too")
    return Loaded(config, password)
