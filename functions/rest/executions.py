"""REST Lambda for the `executions` API domain."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("executions")
