"""The error envelope ``{message, detail, hint}`` and the exception-to-status mapping.

404 NotFoundError, 403 NotAuthorizedError, 409 ConflictError, 400 ValueError
(GraphValidationError with a structured detail), 413 PayloadTooLargeError (also an upload
over the size limit), 415 UnsupportedMediaTypeError (an upload of a forbidden type), 422
validation, 422/409 an Idempotency-Key reused with another request / still in progress,
501 NotConfiguredError, 502 UpstreamServiceError (a proxied service failed), 503 missing
configuration, 500 anything else. A 500 body never carries the exception text: internals
stay in the logs. ``ERROR_RESPONSES`` documents them in the OpenAPI.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agentplatform.errors import (
    BlockError,
    ConflictError,
    GraphValidationError,
    IdempotencyKeyInProgressError,
    IdempotencyKeyReusedError,
    MissingConfigError,
    NotAuthorizedError,
    NotConfiguredError,
    NotFoundError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
    UpstreamServiceError,
)

logger = logging.getLogger(__name__)

_CLIENT_HINT = "Adjust the request and retry."
_SERVER_HINT = "Check server logs and dependent services."


class ErrorEnvelope(BaseModel):
    """Every error answer (``detail`` is a string, a validation summary or pydantic's list)."""

    message: str
    detail: Any
    hint: str


class AuthError(BaseModel):
    """401/403 from authentication, as upstream (FastAPI's own shape)."""

    detail: str


def _documented(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"model": model, "description": description}


# What any API route may answer besides its success; merged into every router's OpenAPI.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented(ErrorEnvelope, "Invalid input (a rule the request breaks, or text that is not Unicode)"),
    401: _documented(AuthError, "Missing, expired or invalid token"),
    403: _documented(AuthError, "Not allowed for this user"),
    404: _documented(ErrorEnvelope, "Not found (or owned by someone else)"),
    413: _documented(ErrorEnvelope, "Request body or a stored item too large"),
    422: _documented(ErrorEnvelope, "The request does not match the API schema"),
    500: _documented(ErrorEnvelope, "Internal error (details stay in the logs)"),
    503: _documented(ErrorEnvelope, "A required setting or service is missing"),
}


def envelope(request_method: str, path: str, status: int, detail: Any) -> JSONResponse:
    return JSONResponse(
        {
            "message": f"Failed to process {request_method} {path}",
            "detail": detail,
            "hint": _CLIENT_HINT if status < 500 else _SERVER_HINT,
        },
        status_code=status,
    )


def _plain_errors(errors: list[Any]) -> list[dict[str, Any]]:
    """Pydantic error dicts made JSON-safe (``ctx`` may hold exception objects)."""
    plain = []
    for err in errors:
        item = {k: v for k, v in dict(err).items() if k not in ("url", "ctx", "input")}
        if "ctx" in err:
            item["ctx"] = {k: str(v) for k, v in err["ctx"].items()}
        item["loc"] = list(item.get("loc", ()))
        plain.append(item)
    return plain


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, (RequestValidationError, ValidationError)) else []
    return JSONResponse(
        {
            "message": f"Invalid data for {request.method} {request.url.path}",
            "detail": _plain_errors(list(errors)) or str(exc),
            "hint": "Ensure the request matches the API schema.",
        },
        status_code=422,
    )


def _mapped(status: int, *, log: bool) -> Any:
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        detail: Any = exc.to_detail() if isinstance(exc, GraphValidationError) else str(exc)
        if log:  # the text the client gets anyway, so the log says what went wrong
            logger.warning(
                "%s %s failed: %s: %.1000s", request.method, request.url.path, type(exc).__name__, exc
            )
        return envelope(request.method, request.url.path, status, detail)

    return handler


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _validation_error)
    app.add_exception_handler(NotFoundError, _mapped(404, log=False))
    app.add_exception_handler(NotAuthorizedError, _mapped(403, log=False))
    app.add_exception_handler(IdempotencyKeyReusedError, _mapped(422, log=False))
    app.add_exception_handler(IdempotencyKeyInProgressError, _mapped(409, log=False))
    app.add_exception_handler(ConflictError, _mapped(409, log=False))
    app.add_exception_handler(MissingConfigError, _mapped(503, log=True))
    app.add_exception_handler(NotConfiguredError, _mapped(501, log=False))
    app.add_exception_handler(PayloadTooLargeError, _mapped(413, log=True))
    app.add_exception_handler(UnsupportedMediaTypeError, _mapped(415, log=False))
    app.add_exception_handler(UpstreamServiceError, _mapped(502, log=True))
    app.add_exception_handler(BlockError, _mapped(400, log=True))
    app.add_exception_handler(ValueError, _mapped(400, log=True))


class UnhandledErrorMiddleware:
    """Turns any other exception into a 500 envelope.

    Starlette's own last-resort handler re-raises after responding, which under Mangum
    would turn a handled request into a Lambda error; this answers and stops there.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logger.exception("Unhandled error in %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = envelope(scope.get("method", ""), scope.get("path", ""), 500, "Internal server error")
            await response(scope, receive, send)
