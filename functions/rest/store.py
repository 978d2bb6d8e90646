"""REST Lambda for the `store` API domain (the marketplace, incl. its admin routes)."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("store")
