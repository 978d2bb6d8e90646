"""Agent files: importing (or reusing) the graph, and building a run's inputs.

``run`` reuses the graph it imported before from the same file contents, for the same
server and user, while that graph still exists; ``--reimport`` forces a fresh import.
The mapping lives in ``$AGENTPLATFORM_CACHE_DIR`` (default ``~/.cache/agentplatform``).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cli.client import Api, CliError

_CACHE_FILE = "imports.json"


def read_agent(path: Path) -> tuple[dict[str, Any], bytes]:
    """The export in ``path`` (an AutoGPT agent file) and its raw bytes."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None
    try:
        export = json.loads(raw)
    except ValueError as exc:
        raise CliError(f"{path} is not JSON: {exc}") from None
    if isinstance(export, dict) and isinstance(export.get("graph"), dict) and "nodes" not in export:
        export = export["graph"]  # a {"graph": …} request body works too
    if not isinstance(export, dict) or not isinstance(export.get("nodes"), list):
        raise CliError(f"{path} is not an agent export (no nodes)")
    return export, raw


def _cache_path() -> Path:
    root = os.environ.get("AGENTPLATFORM_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "agentplatform"
    )
    return Path(root) / _CACHE_FILE


def _cache_key(api: Api, raw: bytes) -> str:
    scope = f"{api.session.url}\n{api.session.user_id}\n".encode()
    return hashlib.sha256(scope + raw).hexdigest()


def _load_cache() -> dict[str, Any]:
    try:
        loaded = json.loads(_cache_path().read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _remember(key: str, graph: dict[str, Any]) -> None:
    cache = _load_cache()
    cache[key] = {"id": graph["id"], "version": graph["version"]}
    path = _cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(cache, indent=1))
    tmp.replace(path)


def import_agent(api: Api, export: dict[str, Any]) -> dict[str, Any]:
    graph: dict[str, Any] = api.post("/api/graphs", json={"graph": export, "source": "upload"})
    return graph


def import_or_reuse(api: Api, path: Path, *, reimport: bool = False) -> tuple[dict[str, Any], bool]:
    """(the graph, whether it was imported before) for the agent file at ``path``."""
    export, raw = read_agent(path)
    key = _cache_key(api, raw)
    known = None if reimport else _load_cache().get(key)
    if known:
        try:
            graph: dict[str, Any] = api.get(
                f"/api/graphs/{known['id']}", params={"version": known["version"]}
            )
            return graph, True
        except CliError:
            pass  # deleted, or the local cloud's state was reset: import again
    graph = import_agent(api, export)
    _remember(key, graph)
    return graph, False


def _input_value(raw: str, schema: dict[str, Any]) -> Any:
    """A ``--input`` value: text for text inputs, else JSON when it parses (numbers, lists)."""
    types = {schema.get("type")} | {option.get("type") for option in schema.get("anyOf") or []}
    if "string" in types:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def run_inputs(graph: dict[str, Any], pairs: list[str]) -> dict[str, Any]:
    properties = (graph.get("input_schema") or {}).get("properties") or {}
    inputs: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep:
            raise CliError(f"--input {pair!r}: expected name=value")
        if name not in properties:
            known = ", ".join(sorted(properties)) or "none"
            raise CliError(f"--input {name!r}: the agent has no such input (its inputs: {known})")
        inputs[name] = _input_value(raw, properties[name])
    return inputs


def _parse_credentials(pairs: list[str]) -> dict[str, str]:
    chosen = {}
    for pair in pairs:
        name, sep, cred_id = pair.partition("=")
        if not sep or not cred_id:
            raise CliError(f"--credentials {pair!r}: expected provider=ID")
        chosen[name] = cred_id
    return chosen


def credentials_inputs(api: Api, graph: dict[str, Any], pairs: list[str]) -> dict[str, Any]:
    """``credentials_inputs`` for the run: ``--credentials provider=ID`` (or key=ID), else
    the one stored credential of the right provider and type, when there is exactly one."""
    schema = graph.get("credentials_input_schema") or {}
    properties: dict[str, Any] = schema.get("properties") or {}
    if not properties:
        return {}
    chosen = _parse_credentials(pairs)
    stored: list[dict[str, Any]] = api.get("/api/integrations/credentials")
    by_id = {cred["id"]: cred for cred in stored}
    result: dict[str, Any] = {}
    missing = []
    for key, field in properties.items():
        providers = field.get("credentials_provider") or []
        types = field.get("credentials_types") or []
        wanted = next((chosen[name] for name in (key, *providers) if name in chosen), None)
        if wanted is not None:
            if wanted not in by_id:
                raise CliError(
                    f"--credentials: no stored credential {wanted} (see GET /api/integrations/credentials)"
                )
            cred = by_id[wanted]
        else:
            fits = [c for c in stored if c["provider"] in providers and (not types or c["type"] in types)]
            if len(fits) != 1:
                if key in (schema.get("required") or []):
                    missing.append((key, providers, len(fits)))
                continue
            cred = fits[0]
        result[key] = {
            "id": cred["id"],
            "provider": cred["provider"],
            "type": cred["type"],
            "title": cred.get("title"),
        }
    if missing:
        raise CliError("\n".join(_missing_text(key, providers, count) for key, providers, count in missing))
    return result


def _missing_text(key: str, providers: list[str], count: int) -> str:
    provider = providers[0] if len(providers) == 1 else "|".join(providers)
    if count:
        return (
            f"{key}: {count} stored {provider} credentials fit; choose one with --credentials {provider}=ID"
        )
    return (
        f"{key}: the agent needs a credential for {provider}: add one with "
        f"`agentplatform credentials add {providers[0] if providers else 'PROVIDER'}`"
    )
