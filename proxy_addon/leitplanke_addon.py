"""Entry point for plain mitmproxy:

    mitmdump -s proxy_addon/leitplanke_addon.py \
        --set leitplanke_policy=policy.yaml --set leitplanke_db=leitplanke.db \
        --set connection_strategy=lazy
"""

from proxy_addon.banner import Banner
from proxy_addon.client_access import ClientAccess
from proxy_addon.discovery import Discovery
from proxy_addon.guard import Guard
from proxy_addon.identify import Identify
from proxy_addon.intercept import Intercept
from proxy_addon.key_files import KeyFiles
from proxy_addon.log_privacy import LogPrivacy
from proxy_addon.metrics import Metrics
from proxy_addon.option_values import one_line_script_errors
from proxy_addon.policy_source import PolicySource
from proxy_addon.policy_versions import PolicyVersions
from proxy_addon.recorder import Recorder
from proxy_addon.reload import Reload
from proxy_addon.self_test import SelfTest
from proxy_addon.serve_pac import ServePac
from proxy_addon.siem_sink import SiemSink
from proxy_addon.stream import StreamAnswers
from proxy_addon.tenant import TenantRestrictions
from proxy_addon.unknown_options import UnknownOptions
from proxy_addon.websocket_guard import WebSocketGuard


def make_addons() -> list[object]:
    """One addon per concern, in hook order: refuse mistyped leitplanke_* options, a
    readable CA key and clients outside the company's networks, identify the service,
    answer PAC requests to the gateway itself, choose what to decrypt, record usage,
    add tenant headers, then check the prompt."""
    source = PolicySource()
    siem = SiemSink()
    recorder = Recorder(source, siem=siem)  # loads the findings key with the database
    intercept = Intercept(source)
    return [
        LogPrivacy(),
        UnknownOptions(),
        KeyFiles(),
        ClientAccess(),
        Identify(key=lambda: recorder.key),
        ServePac(source),
        source,
        Reload(source),
        siem,
        recorder,
        PolicyVersions(source, recorder),
        intercept,
        Discovery(source, recorder, intercept),
        TenantRestrictions(source),
        Banner(source),
        SelfTest(source),
        Guard(source, recorder),
        WebSocketGuard(source, recorder),
        StreamAnswers(),
        Metrics(source, recorder),
    ]


one_line_script_errors()  # an option error is one log line under plain mitmdump too
addons = make_addons()
