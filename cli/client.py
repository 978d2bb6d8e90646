"""The platform's REST API as the CLI uses it: a URL, a token, errors made readable.

The CLI is an API client like any other: it never imports the domain, so it works the
same against the local cloud and a deployed stack.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

DEFAULT_PORT = os.environ.get("PORT", "8000")
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"


class CliError(Exception):
    """What the user did or met, worded for them; the command exits with ``exit_code``."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


def _error_detail(detail: Any) -> str:
    """The error envelope's ``detail``: a text, a validation error with node errors, or
    pydantic's error list."""
    if isinstance(detail, dict) and "node_errors" in detail:
        lines = [str(detail.get("message", "validation failed"))]
        for node_id, errors in detail["node_errors"].items():
            lines.extend(f"  node {node_id}: {field}: {message}" for field, message in errors.items())
        return "\n".join(lines)
    if isinstance(detail, list):
        return "\n".join(
            f"  {'.'.join(str(p) for p in item.get('loc', []))}: {item.get('msg')}" for item in detail
        )
    return str(detail)


def error_text(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return f"{resp.status_code} {resp.text[:500]}"
    if isinstance(body, dict) and "detail" in body:
        return f"{resp.status_code} {_error_detail(body['detail'])}"
    return f"{resp.status_code} {body}"


@dataclass
class Session:
    """Where the platform is and who we are there."""

    url: str
    token: str
    ws_url: str

    @property
    def user_id(self) -> str:
        """The token's ``sub`` (unverified: only to keep per-user CLI caches apart)."""
        try:
            payload = self.token.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            return str(claims.get("sub", ""))
        except (IndexError, ValueError):
            return ""


class Api:
    def __init__(self, session: Session, timeout: float = 60.0):
        self.session = session
        self._http = httpx.Client(
            base_url=session.url,
            headers={"Authorization": f"Bearer {session.token}"},
            timeout=timeout,
        )

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            resp = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            hint = " Is the local cloud running (make dev)?" if self.session.url == DEFAULT_URL else ""
            raise CliError(f"cannot reach {self.session.url}: {exc}.{hint}") from None
        if resp.status_code == 401:
            raise CliError(
                f"{method} {path}: the token was refused ({error_text(resp)}). The local cloud "
                "accepts tokens signed with its state dir's secret: set LOCAL_STATE_DIR (or "
                "--state-dir) to the dir `make dev` uses, or pass --token."
            )
        if resp.status_code >= 400:
            raise CliError(f"{method} {path}: {error_text(resp)}")
        return resp.json() if resp.content else None

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)


def session_from(url: str | None, token: str | None, state_dir: str, ws_url: str | None = None) -> Session:
    """``--url``/``--token``, else the local cloud with a token minted from its state dir."""
    base = (url or os.environ.get("AGENTPLATFORM_URL") or DEFAULT_URL).rstrip("/")
    token = token or os.environ.get("AGENTPLATFORM_TOKEN")
    if not token:
        from local.tokens import NoSigningSecret, mint, signing_secret

        try:
            secret, _ = signing_secret(Path(state_dir).resolve())
        except NoSigningSecret as exc:
            raise CliError(f"no token: pass --token, or {exc}") from None
        token = mint(secret)
    if ws_url is None:
        scheme, rest = base.split("://", 1)
        ws_url = f"{'wss' if scheme == 'https' else 'ws'}://{rest}/ws"
    return Session(url=base, token=token, ws_url=ws_url)
