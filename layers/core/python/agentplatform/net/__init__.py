"""Outbound networking with the platform's safety rules (SSRF protection)."""
