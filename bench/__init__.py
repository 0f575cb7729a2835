"""`leitplanke bench`: the performance harness of issues 8 and 16 (gateway, memory, store,
checker)."""
