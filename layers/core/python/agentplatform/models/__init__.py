"""Pydantic models of the public API: the shapes AutoGPT clients send and receive."""
