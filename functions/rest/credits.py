"""REST Lambda for the `credits` API domain."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("credits")
