"""Thin Lambda entry points. Each parses its event and hands over to the domain."""
