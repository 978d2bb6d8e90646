"""REST Lambda for the `integrations` API domain."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("integrations")
