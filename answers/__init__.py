"""What the gateway says itself: provider-shaped block answers, employee-facing messages, pages."""
