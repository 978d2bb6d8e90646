"""REST Lambda for the `users` API domain."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("users")
