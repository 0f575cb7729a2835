"""`leitplanke bench`: the performance harness (issues 8 and 16) (gateway, memory, store, checker)."""
