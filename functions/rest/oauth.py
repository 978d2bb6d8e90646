"""REST Lambda for the `oauth` API domain."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("oauth")
