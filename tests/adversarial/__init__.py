"""The adversarial suite: requests that try to get personal data past the gateway.

Add a module `cases_<topic>.py` with `CASES: list[Case]` (tests/adversarial/harness.py);
test_adversarial.py runs them all through one real gateway per `Case.gateway`.
"""
