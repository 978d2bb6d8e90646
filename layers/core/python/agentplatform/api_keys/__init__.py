"""API keys: issuing, listing and revoking them (``/api/api-keys``), and checking them."""
