"""The REST API: FastAPI routers, dependencies, error handling and the app factory."""

from agentplatform.api.fastapi_compat import avoid_pydantic_v1_import

# Before any router module declares a route (they all live below this package).
avoid_pydantic_v1_import()
