"""REST Lambda for the `docs` API domain."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("docs")
