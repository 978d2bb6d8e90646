"""REST Lambda for the `admin` API domain."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("admin")
