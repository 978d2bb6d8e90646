"""``agentplatform``: run agents and inspect runs from the terminal, or serve the local cloud.

  agentplatform run AGENT.json [--input NAME=VALUE ...] [--credentials PROVIDER=ID ...]
  agentplatform run show RUN_ID          a run: inputs, node statuses, outputs, errors
  agentplatform runs [--graph ID]        recent runs
  agentplatform logs RUN_ID              every node execution's inputs, outputs, errors
  agentplatform import AGENT.json        import an agent file, print its inputs
  agentplatform credentials add PROVIDER store an API key (read from a prompt or stdin)
  agentplatform dev | token | oauth-app  the local cloud (see local/cli.py)

Client commands talk to --url (default the local cloud, http://127.0.0.1:$PORT) with
--token, or with a token minted from the local cloud's state dir ($LOCAL_STATE_DIR).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from cli.client import CliError, session_from
from local.cli import add_commands, state_dir_default

Command = Callable[[Any, argparse.Namespace], int]


def _client_options() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    group = options.add_argument_group("connection")
    group.add_argument(
        "--url", help="the platform's base URL (default: $AGENTPLATFORM_URL or the local cloud)"
    )
    group.add_argument(
        "--token", help="a bearer token (default: $AGENTPLATFORM_TOKEN, or minted for the local cloud)"
    )
    group.add_argument(
        "--ws-url", help="the WebSocket API (default: the URL's /ws, as the local cloud serves it)"
    )
    group.add_argument(
        "--state-dir",
        default=state_dir_default(),
        help="local cloud state dir to mint a token from (default: .local)",
    )
    return options


def _add_client_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from cli import commands

    common = _client_options()
    run = sub.add_parser(
        "run",
        parents=[common],
        help="run an agent file with live progress (or: run show RUN_ID)",
        description="Import (or reuse) the agent, run it, show each node's progress, print its "
        "outputs. Exits 1 when the run or any node fails. `run show RUN_ID` shows a past run.",
    )
    run.add_argument("agent", metavar="AGENT.json", help="an AutoGPT agent export, or `show`")
    run.add_argument("run_id", nargs="?", help=argparse.SUPPRESS)
    run.add_argument("--input", "-i", action="append", default=[], metavar="NAME=VALUE")
    run.add_argument(
        "--credentials",
        "-c",
        action="append",
        default=[],
        metavar="PROVIDER=ID",
        help="stored credential to use (default: the only one of the needed provider)",
    )
    run.add_argument(
        "--reimport", action="store_true", help="import the file again even if it was imported before"
    )
    run.add_argument("--no-live", action="store_true", help="plain lines instead of the live table")
    run.add_argument("--timeout", type=float, default=0, help="give up waiting after this many seconds")
    run.add_argument("--json", action="store_true", help="(run show) print the run as JSON")
    run.set_defaults(command_fn=_run_or_show)

    runs = sub.add_parser("runs", parents=[common], help="list recent runs")
    runs.add_argument("--graph", help="only this graph's runs")
    runs.add_argument("--limit", type=int, default=20)
    runs.add_argument("--json", action="store_true")
    runs.set_defaults(command_fn=commands.list_runs)

    logs = sub.add_parser("logs", parents=[common], help="a run's node executions: inputs, outputs, errors")
    logs.add_argument("run_id", metavar="RUN_ID")
    logs.add_argument("--full", action="store_true", help="do not shorten long values")
    logs.add_argument("--json", action="store_true")
    logs.set_defaults(command_fn=commands.run_logs)

    imp = sub.add_parser("import", parents=[common], help="import an agent file")
    imp.add_argument("file", metavar="AGENT.json")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(command_fn=commands.import_file)

    creds = sub.add_parser("credentials", help="stored credentials")
    creds_sub = creds.add_subparsers(dest="action", required=True)
    add = creds_sub.add_parser(
        "add",
        parents=[common],
        help="store an API key for a provider",
        description="The key is read from a prompt (or one line of stdin, or --api-key-env), "
        "never from the command line. Prints the new credential's id.",
    )
    add.add_argument("provider", metavar="PROVIDER", help="e.g. openai, anthropic, jina")
    add.add_argument("--title")
    add.add_argument("--api-key-env", metavar="VAR", help="read the key from this environment variable")
    add.add_argument("--json", action="store_true")
    add.set_defaults(command_fn=commands.add_credentials)


def _run_or_show(api: Any, args: argparse.Namespace) -> int:
    from cli import commands

    if args.agent == "show":
        if not args.run_id:
            raise CliError("usage: agentplatform run show RUN_ID", exit_code=2)
        return commands.show_run(api, args)
    if args.run_id:
        raise CliError(f"unexpected argument {args.run_id!r}", exit_code=2)
    return commands.run_agent(api, args)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="agentplatform", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_client_commands(sub)
    add_commands(sub)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not hasattr(args, "command_fn"):
        return int(args.run(args))  # dev, token, oauth-app
    from cli.client import Api

    try:
        api = Api(session_from(args.url, args.token, args.state_dir, args.ws_url))
        return int(args.command_fn(api, args))
    except CliError as exc:
        print(f"agentplatform {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
