"""REST Lambda for the `blocks` API domain."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("blocks")
