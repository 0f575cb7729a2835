"""Entry point for plain mitmproxy:

    mitmdump -s proxy_addon/leitplanke_addon.py \
        --set leitplanke_policy=policy.yaml --set leitplanke_db=leitplanke.db \
        --set connection_strategy=lazy
"""

from proxy_addon.guard import Guard
from proxy_addon.identify import Identify
from proxy_addon.policy_source import PolicySource
from proxy_addon.recorder import Recorder
from proxy_addon.stream import StreamAnswers


def make_addons() -> list[object]:
    """One addon per concern; Guard uses the policy and the recorder it is given."""
    source = PolicySource()
    recorder = Recorder(source)
    return [Identify(), source, recorder, Guard(source, recorder), StreamAnswers()]


addons = make_addons()
