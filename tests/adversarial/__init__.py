"""The adversarial suite: requests that try to get personal data past the gateway.

Add a module `cases_<topic>.py` with `CASES: list[Case]` (tests/adversarial/harness.py);
test_adversarial.py (the one collector) runs them all through one real gateway per
`Case.gateway` to one recording upstream (tests/adversarial/recording_upstream.py).
"""
