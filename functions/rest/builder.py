"""REST Lambda for the `builder` API domain."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("builder")
