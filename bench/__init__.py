"""`leitplanke bench`: the issue-8 performance harness (gateway, memory, store, checker)."""
