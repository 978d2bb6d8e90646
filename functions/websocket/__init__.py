"""Lambda entry points: websocket."""
