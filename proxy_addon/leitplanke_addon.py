"""Entry point for plain mitmproxy:

    mitmdump -s proxy_addon/leitplanke_addon.py \
        --set leitplanke_policy=policy.yaml --set leitplanke_db=leitplanke.db \
        --set connection_strategy=lazy
"""

from proxy_addon.guard import Guard
from proxy_addon.identify import Identify
from proxy_addon.stream import StreamAnswers


def make_addons() -> list[object]:
    return [Identify(), Guard(), StreamAnswers()]


addons = make_addons()
