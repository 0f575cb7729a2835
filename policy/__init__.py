"""Policy: the one-page YAML, its model, loading with located errors, and decisions."""

from policy.decide import Decision, decide
from policy.loader import LoadedPolicy, PolicyError, Problem, load_policy, parse_policy
from policy.model import ACTION_RANK, Action, Policy

__all__ = [
    "ACTION_RANK",
    "Action",
    "Decision",
    "LoadedPolicy",
    "Policy",
    "PolicyError",
    "Problem",
    "decide",
    "load_policy",
    "parse_policy",
]
