"""Fixtures shared by every test layer.

``cloud`` gives each test a fresh in-process AWS (moto) provisioned like the stack;
``api``/``other_api``/``admin_api`` are API Gateway clients holding tokens of three
different users.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

TEST_JWT_SECRET = "test-secret-key-that-is-long-enough-for-hs256-0123456789"
USER_ID = "3e53486c-cf57-477e-ba2a-cb02dc828e1a"
OTHER_USER_ID = "3e53486c-cf57-477e-ba2a-cb02dc828e1b"
ADMIN_USER_ID = "ad000000-0000-4000-8000-000000000001"

# Settings are read from the environment once per process: fix them before any import.
os.environ.update(
    {
        "JWT_VERIFY_KEY": TEST_JWT_SECRET,
        "JWT_SIGN_ALGORITHM": "HS256",
        "ENABLE_AUTH": "true",
        "TABLE_NAME": "agentplatform-test",
        "BUCKET_NAME": "agentplatform-test-values",
        "POWERTOOLS_SERVICE_NAME": "agentplatform-test",
        "POWERTOOLS_METRICS_NAMESPACE": "AgentPlatformTest",
    }
)
os.environ.pop("JWT_JWKS_URL", None)
os.environ.pop("SUPABASE_JWT_SECRET", None)


@pytest.fixture
def cloud() -> Iterator[object]:
    from local.cloud import LocalCloud

    local = LocalCloud(state_dir=None).start()
    try:
        yield local
    finally:
        local.stop()


def _token(sub: str, role: str = "authenticated") -> str:
    from local.tokens import mint

    return mint(TEST_JWT_SECRET, sub=sub, role=role)


@pytest.fixture
def api(cloud: object):
    from tests.support.api import ApiGatewayClient

    return ApiGatewayClient(_token(USER_ID))


@pytest.fixture
def other_api(cloud: object):
    from tests.support.api import ApiGatewayClient

    return ApiGatewayClient(_token(OTHER_USER_ID))


@pytest.fixture
def admin_api(cloud: object):
    from tests.support.api import ApiGatewayClient

    return ApiGatewayClient(_token(ADMIN_USER_ID, role="admin"))


@pytest.fixture
def anonymous_api(cloud: object):
    from tests.support.api import ApiGatewayClient

    return ApiGatewayClient()
