"""Authentication: JWT verification (``jwt``) shared by REST and WebSocket entry points."""
