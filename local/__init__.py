"""The local cloud: the platform on one machine, with no AWS account and no Docker.

An ASGI server emulates API Gateway (HTTP requests become proxy events for the real
Lambda handlers), the table runs on AWS's DynamoDB Local, and moto emulates the other
AWS services in-process (docs/adr/0004-local-cloud-engines.md).
"""
