"""REST Lambda for the `graphs` API domain."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("graphs")
