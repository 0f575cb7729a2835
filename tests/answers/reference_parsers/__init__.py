"""How the maintained reference clients read the web apps' answers, ported as our own
test code (facts, not their code): each parser takes the gateway's answer (status,
headers, body) and returns the text the client would show, or raises Unreadable where
the client would fail. Which repository, path and commit each follows is in
tests/answers/reference_parsers/README.md.
"""


class Unreadable(Exception):
    """The reference client would not show a text for this answer."""
