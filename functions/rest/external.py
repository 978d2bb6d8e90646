"""REST Lambda for the `external` API domain."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("external")
