"""Response security headers, applied as a pure ASGI middleware (cheap per request)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Responses under these prefixes may be cached; everything else is private/no-store.
CACHEABLE_PREFIXES = ("/api/health", "/api/blocks", "/api/store/agents", "/docs", "/openapi.json", "/health")

ALWAYS_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-XSS-Protection": "1; mode=block",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
NO_STORE_HEADERS = {
    "Cache-Control": "no-store, no-cache, must-revalidate, private",
    "Pragma": "no-cache",
    "Expires": "0",
}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS_HEADERS.items():
                    headers[name] = value
                if "/public/shared" in path:
                    headers["X-Robots-Tag"] = "noindex, nofollow"
                if not path.startswith(CACHEABLE_PREFIXES):
                    for name, value in NO_STORE_HEADERS.items():
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
