"""REST Lambda for the `store` API domain (the marketplace, incl. its admin routes)."""

from mangum import Mangum

from agentplatform.api.app import create_app

handler = Mangum(create_app("store"), lifespan="off")
