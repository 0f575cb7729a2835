"""The gateway process imports neither spaCy nor Presidio (issue 16, item 3).

Only the checker workers need them (checker/pool_worker.py); the gateway's pre-check
reads the trigger tables from checker/triggers.py. Importing them anyway costs the
gateway process ~150 MiB of resident memory and seconds of start-up. Asked in a fresh
interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("spacy", "presidio_analyzer", "thinc")

PROGRAM = """
import json, sys
import proxy_addon.leitplanke_addon
import checker.pool
from checker.config import ScanConfig
from checker.precheck import any_trigger, light_prefilter
from policy.loader import load_policy

# The pre-check as the pool runs it: built from the default policy, asked about a
# clean prompt and one with an IBAN.
prefilter = light_prefilter(ScanConfig.from_policy(load_policy().policy))
asked = None
if prefilter is not None:
    asked = [
        any_trigger(prefilter, ["Bitte fasse diesen Absatz kurz zusammen."]),
        any_trigger(prefilter, ["IBAN DE89 3704 0044 0532 0130 00"]),
    ]
print(json.dumps({"modules": sorted(m.split(".")[0] for m in sys.modules), "asked": asked}))
"""


def test_the_gateway_and_its_precheck_import_no_spacy_and_no_presidio() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=120, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    loaded = set(result["modules"])
    assert not loaded & set(HEAVY), f"the gateway process imports {sorted(loaded & set(HEAVY))}"
    if result["asked"] is not None:  # None: a spaCy model is installed, no pre-check
        assert result["asked"] == [False, True]
