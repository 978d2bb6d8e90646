"""Tokens are refreshed before use, by one caller at a time (a lease on the credential)."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import parse_qs

import pytest
from pydantic import SecretStr

from agentplatform.integrations.oauth.base import OAuthProviderError
from agentplatform.integrations.oauth.refresh import fresh_credentials
from agentplatform.models.credentials import OAuth2Credentials
from agentplatform.store.credentials import CredentialsRepository
from tests.conftest import USER_ID

pytestmark = pytest.mark.usefixtures("kms_key")


def _stored(stub, provider: str = "google", expires_in: int = 60) -> OAuth2Credentials:
    """A credential as the callback stores it, whose access token expires in ``expires_in``."""
    token = stub.issue(provider, ["https://www.googleapis.com/auth/gmail.readonly"])
    creds = OAuth2Credentials(
        provider=provider,
        title="Work mail",
        username="ada@example.com",
        access_token=SecretStr(token["access_token"]),
        access_token_expires_at=int(time.time()) + expires_in,
        refresh_token=SecretStr(token["refresh_token"]),
        scopes=token["scope"].split(),
    )
    CredentialsRepository().create(USER_ID, creds)
    return creds


def _refresh_forms(stub) -> list[dict[str, str]]:
    return [{k: v[0] for k, v in parse_qs(r.body.decode()).items()} for r in stub.token_requests]


def test_a_token_expiring_within_five_minutes_is_refreshed_and_stored(oauth_stub):
    creds = _stored(oauth_stub, expires_in=120)
    fresh = asyncio.run(fresh_credentials(USER_ID, creds))
    assert fresh.access_token.get_secret_value() != creds.access_token.get_secret_value()
    assert fresh.access_token_expires_at >= int(time.time()) + 3500
    # same credential, same account; Google keeps the refresh token it issued first
    assert (fresh.id, fresh.title, fresh.username, fresh.scopes) == (
        creds.id,
        creds.title,
        creds.username,
        creds.scopes,
    )
    assert fresh.refresh_token.get_secret_value() == creds.refresh_token.get_secret_value()
    (form,) = _refresh_forms(oauth_stub)
    assert form["grant_type"] == "refresh_token"
    assert form["refresh_token"] == creds.refresh_token.get_secret_value()
    stored = CredentialsRepository().get(USER_ID, creds.id)
    assert stored.access_token.get_secret_value() == fresh.access_token.get_secret_value()
    item = CredentialsRepository().table.get(f"USER#{USER_ID}", f"CRED#{creds.id}")
    assert "lease_owner" not in item and "lease_until" not in item


def test_a_rotated_refresh_token_replaces_the_old_one(oauth_stub):
    creds = _stored(oauth_stub, provider="discord")
    fresh = asyncio.run(fresh_credentials(USER_ID, creds))
    assert fresh.refresh_token.get_secret_value() != creds.refresh_token.get_secret_value()
    stored = CredentialsRepository().get(USER_ID, creds.id)
    assert stored.refresh_token.get_secret_value() == fresh.refresh_token.get_secret_value()


def test_a_token_valid_for_longer_is_used_as_is(oauth_stub):
    creds = _stored(oauth_stub, expires_in=3600)
    assert asyncio.run(fresh_credentials(USER_ID, creds)) is creds
    assert oauth_stub.token_requests == []


def test_two_concurrent_refreshes_make_one_token_request(oauth_stub):
    creds = _stored(oauth_stub, expires_in=-10)

    async def both():
        return await asyncio.gather(fresh_credentials(USER_ID, creds), fresh_credentials(USER_ID, creds))

    first, second = asyncio.run(both())
    assert len(oauth_stub.token_requests) == 1
    assert first.access_token.get_secret_value() == second.access_token.get_secret_value()
    assert first.access_token.get_secret_value() != creds.access_token.get_secret_value()


def test_a_waiter_uses_what_the_lease_holder_stores(oauth_stub):
    repo = CredentialsRepository()
    creds = _stored(oauth_stub, expires_in=-10)
    assert repo.try_lease(USER_ID, creds.id, "other-lambda", 30)
    renewed = creds.model_copy(
        update={
            "access_token": SecretStr("at-from-the-other-lambda"),
            "access_token_expires_at": int(time.time()) + 3600,
        }
    )

    async def other_lambda_finishes():
        await asyncio.sleep(0.3)
        assert repo.replace_leased(USER_ID, renewed, "other-lambda")

    async def scenario():
        waiter = asyncio.create_task(fresh_credentials(USER_ID, creds))
        await other_lambda_finishes()
        return await waiter

    fresh = asyncio.run(scenario())
    assert fresh.access_token.get_secret_value() == "at-from-the-other-lambda"
    assert oauth_stub.token_requests == []


def test_a_lease_left_by_a_dead_holder_expires(oauth_stub):
    repo = CredentialsRepository()
    creds = _stored(oauth_stub, expires_in=-10)
    assert repo.try_lease(USER_ID, creds.id, "crashed-lambda", -5)  # already past its end
    fresh = asyncio.run(fresh_credentials(USER_ID, creds))
    assert fresh.access_token.get_secret_value() != creds.access_token.get_secret_value()
    assert len(oauth_stub.token_requests) == 1


def test_only_the_lease_holder_may_replace_the_secret(oauth_stub):
    repo = CredentialsRepository()
    creds = _stored(oauth_stub)
    assert repo.try_lease(USER_ID, creds.id, "holder", 30)
    assert not repo.try_lease(USER_ID, creds.id, "intruder", 30)
    assert not repo.replace_leased(USER_ID, creds, "intruder")
    repo.release_lease(USER_ID, creds.id, "intruder")  # not theirs: a no-op
    assert not repo.try_lease(USER_ID, creds.id, "intruder", 30)
    repo.release_lease(USER_ID, creds.id, "holder")
    assert repo.try_lease(USER_ID, creds.id, "intruder", 30)


def test_a_refused_refresh_fails_without_secrets_and_frees_the_lease(oauth_stub):
    creds = _stored(oauth_stub, expires_in=-10)
    oauth_stub.refresh_tokens.clear()  # the user revoked the app at Google
    with pytest.raises(OAuthProviderError) as raised:
        asyncio.run(fresh_credentials(USER_ID, creds))
    assert str(raised.value) == "google token refresh failed with HTTP 400 (invalid_grant)"
    assert creds.refresh_token.get_secret_value() not in str(raised.value)
    item = CredentialsRepository().table.get(f"USER#{USER_ID}", f"CRED#{creds.id}")
    assert "lease_owner" not in item


def test_credentials_without_a_refresh_token_are_left_alone(oauth_stub):
    creds = OAuth2Credentials(
        provider="github", access_token=SecretStr("gho_static"), access_token_expires_at=int(time.time()) - 10
    )
    assert asyncio.run(fresh_credentials(USER_ID, creds)) is creds
    assert oauth_stub.token_requests == []
