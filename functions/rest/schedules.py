"""REST Lambda for the `schedules` API domain."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("schedules")
