"""Who sent a request, and what the policy makes of that: the sender's group and the
name the findings log keeps.

The Identify addon (proxy_addon/identify.py) builds an Identity for every flow at CONNECT
and at the request headers; everything else reads it from the flow. The group and the
label are asked with the policy in force when they are needed, so a policy reloaded
while a request or a WebSocket connection is open applies to it at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from policy.model import Policy


@dataclass(frozen=True)
class Identity:
    login: str | None  # the proxy-auth user name, when the gateway requires login
    address: str | None  # the client's IP address
    pseudonym: str  # keyed pseudonym of `user` (store/keys.py); coaching binds to it

    @classmethod
    def of(
        cls, login: str | None, address: str | None, pseudonymize: Callable[[str], str]
    ) -> Identity:
        unnamed = cls(login, address, "")
        return replace(unnamed, pseudonym=pseudonymize(unnamed.user))

    @property
    def user(self) -> str:
        """The login, else the client address (networks without proxy login)."""
        return self.login or self.address or "unknown"

    def label(self, policy: Policy) -> str:
        """The user as the findings log keeps it: pseudonymised unless the policy says not."""
        return self.pseudonym if policy.privacy.pseudonymize_users else self.user

    def group(self, policy: Policy) -> str | None:
        """The policy group of the login, else of the address; None if neither."""
        return policy.group_of(self.login, self.address)
