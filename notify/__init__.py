"""E-mail notifications to the DPO (`leitplanke notify`)."""
