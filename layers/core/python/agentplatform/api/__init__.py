"""The REST API: FastAPI routers, dependencies, error handling and the app factory."""
