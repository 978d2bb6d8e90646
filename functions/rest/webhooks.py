"""REST Lambda for the `webhooks` API domain: webhook ingress (no user token) and ping."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("webhooks")
