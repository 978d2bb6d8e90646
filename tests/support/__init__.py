"""Shared test helpers: the in-process cloud, API Gateway clients, token minting."""
