"""REST Lambda for the `platform` API domain."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("platform")
