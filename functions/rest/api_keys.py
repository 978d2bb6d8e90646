"""REST Lambda for the `api_keys` API domain."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("api_keys")
