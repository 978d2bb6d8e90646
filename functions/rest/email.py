"""REST Lambda for the `email` API domain."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("email")
