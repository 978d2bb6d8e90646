"""REST Lambda for the `library` API domain (agents and presets)."""

from agentplatform.api.lambda_entry import rest_lambda

handler = rest_lambda("library")
