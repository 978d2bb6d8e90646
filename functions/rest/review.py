"""REST Lambda for the `review` API domain."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("review")
