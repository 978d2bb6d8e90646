"""One synthesis of the whole app per test session, shared by every xdist worker.

The first worker to take the lock synthesizes (dependency bundling skipped) into the
session's shared temp dir; the others wait and read the same cloud assembly.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# As infra_cdk.app does, before any test module starts the jsii runtime (see there).
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("CDK_VALIDATION", "false")

STACK = "AgentPlatform"


@dataclass(frozen=True)
class Synthesized:
    outdir: Path
    template: dict[str, Any]
    report: dict[str, Any]  # the policy-validation report (cdk-nag)
    error: str  # what app.synth() raised, if anything

    def resources(self, type_name: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.template["Resources"].items() if v["Type"] == type_name}


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# Every optional branch at once: custom domains, CORS, tracing, alarm e-mail, disposable data,
# SnapStart.
VARIANT_CONTEXT: dict[str, Any] = {
    "tracing": True,
    "snap_start": "true",
    "cors_allow_origins": "https://app.example.com,https://staging.example.com",
    "external_oauth_callback_origins": "https://agents.example.com",
    "domain_name": "api.example.com",
    "websocket_domain_name": "ws.example.com",
    "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000",
    "hosted_zone_id": "Z0000000000000000000",
    "hosted_zone_name": "example.com",
    "alarm_email": "ops@example.com",
    "value_expiration_days": "30",
    "deletion_protection": "false",
    "retain_data": "false",
    "reserved_concurrency": "{}",
    "platform_secrets_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:platform-AbCdEf",
    "ses_identity": "example.com",
    "refund_notification_email": "refunds@example.com",
    "malware_protection": "true",
    "otto_api_url": "https://otto.example.com/ask",
    "media_bucket_name": "example-media",
    "media_base_url": "https://media.example.com",
    "enable_credit": "true",
    "num_user_credits_refill": "2000",
}


def _synthesize(outdir: Path, context: dict[str, Any]) -> None:
    from infra_cdk.app import build_app

    error = ""
    try:
        app, _stack = build_app({"bundle": False, **context}, str(outdir))
        app.synth()
    except RuntimeError as exc:  # cdk-nag findings fail the synth; the report says which
        error = str(exc)
    (outdir / "pytest-synth.json").write_text(json.dumps({"error": error}))


def _shared_synthesis(factory: pytest.TempPathFactory, name: str, context: dict[str, Any]) -> Synthesized:
    shared = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # common to all workers of this run
    outdir = shared / f"infra-{name}.out"
    with _locked(shared / f"infra-{name}.lock"):
        if not (outdir / "pytest-synth.json").exists():
            outdir.mkdir(parents=True, exist_ok=True)
            _synthesize(outdir, context)
    error = json.loads((outdir / "pytest-synth.json").read_text())["error"]
    template_path = outdir / f"{STACK}.template.json"
    if not template_path.exists():
        pytest.fail(f"synthesis produced no template: {error}")
    report_path = outdir / "validation-report.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {"pluginReports": []}
    return Synthesized(outdir, json.loads(template_path.read_text()), report, error)


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The stack with default context (what a first deployment gets)."""
    return _shared_synthesis(tmp_path_factory, "default", {})


@pytest.fixture(scope="session")
def variant(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The stack with every optional feature switched on."""
    return _shared_synthesis(tmp_path_factory, "variant", VARIANT_CONTEXT)


@pytest.fixture(scope="session")
def template(synthesized: Synthesized) -> Any:
    from aws_cdk.assertions import Template

    return Template.from_json(synthesized.template)


def references(value: object) -> set[str]:
    """Logical ids that ``value`` names with Ref or Fn::GetAtt, at any depth."""
    if isinstance(value, dict):
        found = set()
        if isinstance(value.get("Ref"), str):
            found.add(value["Ref"])
        if isinstance(value.get("Fn::GetAtt"), list):
            found.add(value["Fn::GetAtt"][0])
        return found.union(*(references(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(references(v) for v in value))
    return set()
