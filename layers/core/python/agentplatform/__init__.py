"""The AutoGPT-compatible agent platform domain, shipped to every Lambda as a layer.

Subpackages: ``models`` (pydantic shapes), ``blocks`` (block SDK and built-ins),
``graphs`` (graph rules), ``engine`` (run semantics), ``store`` (DynamoDB),
``auth`` (JWT), ``api`` (FastAPI routers), ``events`` (WebSocket fan-out).
"""
