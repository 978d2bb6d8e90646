"""One module per API area; each exposes ``router`` with its full path prefix."""
