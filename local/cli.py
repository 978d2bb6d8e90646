"""The local cloud's commands of ``agentplatform`` (the client commands are in ``cli/``).

agentplatform dev [--host H] [--port P] [--log-format text|json]
                                             serve the platform (make dev)
agentplatform token [--sub ID] [--role R]    print a JWT for the local cloud
agentplatform oauth-app --name N --redirect-uri U --scope S ...
                                             register an OAuth app in the local cloud's
                                             saved state (with make dev stopped)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from agentplatform.config import DEFAULT_USER_ID


def state_dir_default() -> str:
    return os.environ.get("LOCAL_STATE_DIR", ".local")


def _signing_secret(state_dir: Path) -> str:
    """``JWT_VERIFY_KEY`` from the environment, else the state dir's own secret (created)."""
    from local.tokens import load_or_create_secret

    secret = os.environ.get("JWT_VERIFY_KEY") or load_or_create_secret(state_dir)
    os.environ["JWT_VERIFY_KEY"] = secret
    return secret


def _dev(args: argparse.Namespace) -> int:
    import uvicorn

    from local import logs
    from local.cloud import LocalCloud
    from local.server import LocalGateway
    from local.tokens import mint

    logs.configure(args.log_format)
    state_dir = Path(args.state_dir).resolve()
    secret = _signing_secret(state_dir)
    # Stored credentials are sealed with a key kept beside the table: moto's KMS forgets
    # its keys on exit, which would make them unreadable after a restart.
    os.environ.setdefault("CREDENTIALS_LOCAL_KEY_FILE", str(state_dir / "credentials.key"))
    cloud = LocalCloud(state_dir).start()
    if cloud.fallback_reason:
        print(
            f"WARNING: {cloud.fallback_reason}: the table runs in-process on moto instead of"
            " DynamoDB Local, volatile (lost on exit) and slower",
            file=sys.stderr,
            flush=True,
        )
    base = f"http://{args.host}:{args.port}"
    os.environ.setdefault("PLATFORM_BASE_URL", base)  # webhook ingress URLs point here
    token = mint(secret)
    print(
        f"\nAgent platform (local cloud) on {base}\n"
        f"  state dir : {state_dir}\n"
        f"  table     : {cloud.table_engine}\n"
        f"  API docs  : {base}/docs\n"
        f"  websocket : ws://{args.host}:{args.port}/ws?token=<dev token>\n"
        f"  dev token : {token}\n\n"
        f"  curl -H 'Authorization: Bearer {token}' {base}/api/graphs\n"
        f"  LOCAL_STATE_DIR={state_dir} agentplatform run AGENT.json --url {base}\n",
        flush=True,
    )
    if cloud.interrupted_runs:
        print(f"  {cloud.interrupted_runs} run(s) in flight at the last shutdown were ended TERMINATED\n")
    try:
        uvicorn.run(
            LocalGateway(cloud), host=args.host, port=args.port, log_level=args.log_level, lifespan="on"
        )
    finally:
        cloud.stop()
    return 0


def _token(args: argparse.Namespace) -> int:
    from local.tokens import NoSigningSecret, mint, signing_secret

    try:
        secret, source = signing_secret(Path(args.state_dir).resolve())
    except NoSigningSecret as exc:
        print(f"agentplatform token: {exc}", file=sys.stderr)
        return 1
    print(f"signed with {source}", file=sys.stderr)  # stdout stays the bare token
    print(mint(secret, sub=args.sub, role=args.role, ttl_seconds=args.ttl))
    return 0


def _oauth_app(args: argparse.Namespace) -> int:
    """Register an OAuth application (upstream registers them with an admin script too)."""
    import json

    from agentplatform.models.api_keys import APIKeyPermission
    from agentplatform.oauth.service import OAuthService
    from local.cloud import LocalCloud

    cloud = LocalCloud(Path(args.state_dir).resolve()).start()
    try:
        registered = OAuthService().register_application(
            args.owner,
            args.name,
            args.redirect_uri,
            [APIKeyPermission(scope) for scope in args.scope],
            description=args.description,
        )
    finally:
        cloud.stop()
    print(json.dumps(registered.model_dump(mode="json"), indent=2))
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``dev``, ``token`` and ``oauth-app`` on the ``agentplatform`` parser."""
    state_help = "the local cloud's state dir (default: $LOCAL_STATE_DIR or .local)"
    dev = sub.add_parser("dev", help="run the platform locally (DynamoDB Local + moto)")
    dev.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    dev.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    dev.add_argument(
        "--log-level", default=os.environ.get("LOG_LEVEL", "warning"), help="uvicorn's log level"
    )
    dev.add_argument(
        "--log-format",
        choices=("text", "json"),
        default=os.environ.get("LOCAL_LOG_FORMAT", "text"),
        help="text: one readable line per request and run change; json: the Lambdas' structured logs "
        "and EMF metrics, as CloudWatch gets them",
    )
    dev.add_argument("--state-dir", default=state_dir_default(), help=state_help)
    dev.set_defaults(run=_dev)
    token = sub.add_parser("token", help="mint a JWT accepted by the local cloud")
    token.add_argument("--sub", default=DEFAULT_USER_ID)
    token.add_argument("--role", default="authenticated")
    token.add_argument("--ttl", type=int, default=30 * 24 * 3600)
    token.add_argument("--state-dir", default=state_dir_default(), help=state_help)
    token.set_defaults(run=_token)
    app = sub.add_parser("oauth-app", help="register an OAuth app (prints its client secret once)")
    app.add_argument("--name", required=True)
    app.add_argument("--redirect-uri", action="append", required=True)
    app.add_argument("--scope", action="append", required=True, help="an APIKeyPermission, e.g. IDENTITY")
    app.add_argument("--owner", default=DEFAULT_USER_ID)
    app.add_argument("--description")
    app.add_argument("--state-dir", default=state_dir_default(), help=state_help)
    app.set_defaults(run=_oauth_app)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="agentplatform", description=__doc__.splitlines()[0])
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
