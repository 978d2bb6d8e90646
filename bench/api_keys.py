"""Prints: the cost of an authenticated external ``GET /me`` (API key) in our own code,
excluding DynamoDB, against the JWT-authenticated ``GET /api/auth/user/timezone`` (same
single user read) as the baseline, plus the one-off Scrypt check of a key.

Requests go through the real Lambda handlers as API Gateway proxy events, on an
in-process moto table. Time spent inside DynamoDB calls (botocore request and moto) is
measured and subtracted, so what remains is routing, auth, validation and serialization.

    .venv/bin/python bench/api_keys.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

N = 300
SECRET = "bench-secret-key-that-is-long-enough-for-hs256-0123456789"


class DynamoTimer:
    """Sums the wall time spent in botocore API calls (all AWS calls here are DynamoDB)."""

    def __init__(self) -> None:
        from botocore.client import BaseClient

        self.spent = 0.0
        original = BaseClient._make_api_call
        timer = self

        def timed(client: Any, operation: str, params: dict[str, Any]) -> Any:
            start = time.perf_counter()
            try:
                return original(client, operation, params)
            finally:
                timer.spent += time.perf_counter() - start

        BaseClient._make_api_call = timed


def _sample(call: Callable[[], Any], timer: DynamoTimer) -> tuple[float, float]:
    """Median total and median own (total minus DynamoDB) time per call, in ms."""
    totals, owns = [], []
    for _ in range(N):
        timer.spent = 0.0
        start = time.perf_counter()
        call()
        total = time.perf_counter() - start
        totals.append(total)
        owns.append(total - timer.spent)
    return statistics.median(totals) * 1000, statistics.median(owns) * 1000


def main() -> None:
    os.environ.update({"TABLE_NAME": "bench", "BUCKET_NAME": "bench-values", "JWT_VERIFY_KEY": SECRET})
    from local.cloud import LocalCloud

    cloud = LocalCloud(None).start()
    from agentplatform.api_keys.service import ApiKeyService
    from agentplatform.auth.keysmith import scrypt_hex
    from agentplatform.models.api_keys import APIKeyPermission
    from local.apigw import proxy_event
    from local.lambdas import invoke
    from local.server import rest_handler
    from local.tokens import mint

    user = "bench-user"
    key = ApiKeyService().create(user, "bench", [APIKeyPermission.IDENTITY]).plain_text_key
    external, users = rest_handler("external"), rest_handler("users")
    me = proxy_event("GET", "/external-api/v1/me", headers={"x-api-key": key})
    timezone = proxy_event(
        "GET", "/api/auth/user/timezone", headers={"authorization": f"Bearer {mint(SECRET, sub=user)}"}
    )

    def call(handler: Any, event: dict[str, Any]) -> Callable[[], None]:
        def run() -> None:
            assert invoke(handler, event)["statusCode"] == 200

        return run

    timer = DynamoTimer()
    salt = os.urandom(32)
    start = time.perf_counter()
    scrypt_hex(key, salt)
    scrypt_ms = (time.perf_counter() - start) * 1000

    timer.spent = 0.0
    start = time.perf_counter()
    call(external, me)()
    first_ms = (time.perf_counter() - start) * 1000
    first_own = first_ms - timer.spent * 1000
    call(users, timezone)()  # warm the baseline handler too

    me_total, me_own = _sample(call(external, me), timer)
    base_total, base_own = _sample(call(users, timezone), timer)
    rows = [
        ("scrypt check (n=2^14, r=8, p=1)", f"{scrypt_ms:.1f} ms, paid once per key per warm Lambda"),
        ("GET /external-api/v1/me, first use of the key", f"{first_ms:.2f} ms total, {first_own:.2f} ms own"),
        (
            "GET /external-api/v1/me (X-API-Key), warm",
            f"{me_total:.2f} ms total, {me_own:.3f} ms own (median)",
        ),
        (
            "GET /api/auth/user/timezone (JWT), baseline",
            f"{base_total:.2f} ms total, {base_own:.3f} ms own (median)",
        ),
        ("API key auth vs JWT, own time", f"{me_own - base_own:+.3f} ms per request"),
    ]
    for label, value in rows:
        print(f"{label:<47}: {value}")
    cloud.stop()


if __name__ == "__main__":
    main()
