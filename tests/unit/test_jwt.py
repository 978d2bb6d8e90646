"""Token verification: pinned algorithms, audience, expiry, keys from config or JWKS."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from agentplatform.auth.jwt import TokenError, decode_token
from agentplatform.config import Settings

SECRET = "unit-test-secret-that-is-at-least-32-chars"
HS = Settings(jwt_verify_key=SECRET, jwt_algorithms=("HS256",))


def _claims(**overrides):
    base = {"sub": "user-1", "role": "authenticated", "aud": "authenticated", "exp": int(time.time()) + 3600}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def test_valid_hs256_token_returns_claims():
    token = jwt.encode(_claims(), SECRET, algorithm="HS256")
    assert decode_token(token, HS)["sub"] == "user-1"


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (jwt.encode(_claims(exp=int(time.time()) - 10), SECRET, algorithm="HS256"), "Token has expired"),
        (
            jwt.encode(_claims(aud="somebody-else"), SECRET, algorithm="HS256"),
            "Invalid token: Audience doesn't match",
        ),
        (
            jwt.encode(_claims(aud=None), SECRET, algorithm="HS256"),
            'Invalid token: Token is missing the "aud" claim',
        ),
        (
            jwt.encode(_claims(exp=None), SECRET, algorithm="HS256"),
            'Invalid token: Token is missing the "exp" claim',
        ),
        (
            jwt.encode(_claims(), "another-secret-of-sufficient-length!!", algorithm="HS256"),
            "Invalid token: Signature verification failed",
        ),
        (
            jwt.encode(_claims(), SECRET, algorithm="HS512"),
            "Invalid token: The specified alg value is not allowed",
        ),
        (
            jwt.encode(_claims(), None, algorithm="none"),
            "Invalid token: The specified alg value is not allowed",
        ),
        ("not-a-jwt", "Invalid token: Not enough segments"),
    ],
    ids=["expired", "wrong-aud", "no-aud", "no-exp", "wrong-key", "unlisted-alg", "alg-none", "garbage"],
)
def test_untrusted_tokens_are_refused_with_upstream_messages(token, message):
    with pytest.raises(TokenError) as caught:
        decode_token(token, HS)
    assert str(caught.value) == message


def test_none_is_refused_even_if_configured():
    settings = Settings(jwt_verify_key=SECRET, jwt_algorithms=("none", "HS256"))
    token = jwt.encode(_claims(), None, algorithm="none")
    with pytest.raises(TokenError):
        decode_token(token, settings)


def test_hs_token_without_configured_key_is_refused():
    token = jwt.encode(_claims(), SECRET, algorithm="HS256")
    with pytest.raises(TokenError, match="no verification key"):
        decode_token(token, Settings(jwt_verify_key="", jwt_algorithms=("HS256",)))


def test_rs256_with_pem_public_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    settings = Settings(jwt_verify_key=public_pem, jwt_algorithms=("RS256",))
    token = jwt.encode(_claims(), key, algorithm="RS256")
    assert decode_token(token, settings)["sub"] == "user-1"
    # An HS256 token signed with the public key text must not pass (algorithm confusion).
    forged = jwt.encode(_claims(), "x" * 40, algorithm="HS256")
    with pytest.raises(TokenError, match="alg value is not allowed"):
        decode_token(forged, settings)


class _JwksServer:
    def __init__(self, jwks: dict):
        body = json.dumps(jwks).encode()
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def es256_jwks() -> Iterator[tuple[ec.EllipticCurvePrivateKey, _JwksServer]]:
    key = ec.generate_private_key(ec.SECP256R1())
    public_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    public_jwk.update({"kid": "key-1", "use": "sig", "alg": "ES256"})
    server = _JwksServer({"keys": [public_jwk]})
    yield key, server
    server.server.shutdown()


def test_es256_through_jwks_url_with_key_caching(es256_jwks):
    key, server = es256_jwks
    settings = Settings(jwt_algorithms=("ES256",), jwt_jwks_url=server.url)
    for _ in range(3):
        token = jwt.encode(_claims(), key, algorithm="ES256", headers={"kid": "key-1"})
        assert decode_token(token, settings)["sub"] == "user-1"
    assert server.hits == 1


def test_es256_token_from_unknown_key_is_refused(es256_jwks):
    _, server = es256_jwks
    stranger = ec.generate_private_key(ec.SECP256R1())
    settings = Settings(jwt_algorithms=("ES256",), jwt_jwks_url=server.url)
    token = jwt.encode(_claims(), stranger, algorithm="ES256", headers={"kid": "key-1"})
    with pytest.raises(TokenError, match="Invalid token"):
        decode_token(token, settings)
