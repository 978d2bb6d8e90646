"""The local cloud: the platform on one machine, with no AWS account and no Docker.

An ASGI server emulates API Gateway (HTTP requests become proxy events for the real
Lambda handlers) and moto emulates the AWS services in-process.
"""
