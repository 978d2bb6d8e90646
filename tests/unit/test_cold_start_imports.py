"""What a cold start imports: REST handlers stay clear of modules only some requests need.

Timing lives in bench/cold_start.py; this pins the import set, which is what regresses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Imported on first use only: token checks, schema validation, templates, outbound HTTP;
# the X-Ray SDK only with ENABLE_TRACER (see agentplatform/observability.py).
DEFERRED = (
    "pydantic.v1",
    "jwt",
    "cryptography",
    "jsonschema",
    "jinja2",
    "httpx",
    "boto3",
    "stripe",
    "cronsim",
    "filetype",
    "imagesize",
    "aws_xray_sdk",
)


def _modules_after_import(module: str) -> set[str]:
    code = f"import sys, json, importlib; importlib.import_module({module!r}); print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env={"PATH": ""}
    )
    return set(json.loads(out.stdout))


@pytest.mark.parametrize(
    "domain",
    [
        "users",
        "graphs",
        "executions",
        "integrations",
        "blocks",
        "admin",
        "api_keys",
        "oauth",
        "external",
        "library",
        "credits",
        "schedules",
        "webhooks",
        "review",
        "email",
        "platform",
        "store",
        "builder",
    ],
)
def test_rest_handler_import_leaves_request_only_modules_unloaded(domain):
    loaded = _modules_after_import(f"functions.rest.{domain}")
    assert f"functions.rest.{domain}" in loaded
    assert sorted(name for name in DEFERRED if name in loaded) == []


def test_notifications_consumer_import_leaves_templates_and_ses_for_first_use():
    loaded = _modules_after_import("functions.notifications.consumer")
    assert sorted(name for name in ("jinja2", "jwt", "cryptography", "httpx", "stripe") if name in loaded) == []


def test_platform_handler_leaves_sniffing_and_the_blocks_unloaded():
    loaded = _modules_after_import("functions.rest.platform")
    assert "python_multipart" in loaded  # FastAPI checks it when the upload route is declared
    # (Powertools Metrics is loaded by every handler's instrumentation: observability.py)
    assert {"filetype", "agentplatform.blocks.builtin"} & loaded == set()


def test_docs_handler_builds_the_whole_api_only_when_the_schema_is_asked_for():
    loaded = _modules_after_import("functions.rest.docs")
    assert sorted(name for name in loaded if name.startswith("agentplatform.api.routers.")) == [
        "agentplatform.api.routers.docs",
        "agentplatform.api.routers.health",
    ]
