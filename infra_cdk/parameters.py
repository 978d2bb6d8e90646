"""CloudFormation parameters: the JWT settings, chosen at deploy time, never in the repo.

``JwtVerifyKey`` is ``NoEcho`` (the HS256 secret, or a PEM public key); leave it empty
and set ``JwtJwksUrl`` to verify asymmetric tokens against a JWKS endpoint instead.
"""

from __future__ import annotations

from aws_cdk import CfnParameter, Stack


def jwt_settings(stack: Stack) -> dict[str, str]:
    """Environment variables for the functions that verify tokens."""
    verify_key = CfnParameter(
        stack,
        "JwtVerifyKey",
        type="String",
        no_echo=True,
        default="",
        description="HS256 secret or PEM public key that signs user JWTs (empty when JwtJwksUrl is set)",
    )
    algorithm = CfnParameter(
        stack,
        "JwtSignAlgorithm",
        type="String",
        default="HS256",
        description="Accepted JWT algorithms, comma separated (HS256, RS256, ES256, ...)",
    )
    jwks_url = CfnParameter(
        stack,
        "JwtJwksUrl",
        type="String",
        default="",
        description="JWKS endpoint for asymmetric tokens (e.g. Supabase's /auth/v1/.well-known/jwks.json)",
    )
    audience = CfnParameter(
        stack, "JwtAudience", type="String", default="authenticated", description="Required JWT audience"
    )
    enable_auth = CfnParameter(
        stack,
        "EnableAuth",
        type="String",
        default="true",
        allowed_values=["true", "false"],
        description="false serves every request as the default user: never in a shared deployment",
    )
    return {
        "JWT_VERIFY_KEY": verify_key.value_as_string,
        "JWT_SIGN_ALGORITHM": algorithm.value_as_string,
        "JWT_JWKS_URL": jwks_url.value_as_string,
        "JWT_AUDIENCE": audience.value_as_string,
        "ENABLE_AUTH": enable_auth.value_as_string,
    }
