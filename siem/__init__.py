"""SIEM events (NIS2 logging): the event model, its formats and the transports that send them."""
