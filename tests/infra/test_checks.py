"""Static checks on the synthesized app: cdk-nag, cfn-lint and the state machine's ASL."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from infra_cdk.config import ROOT
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra

ASL_VALIDATOR = ROOT / "node_modules" / ".bin" / "asl-validator"


def test_cdk_nag_aws_solutions_has_no_unacknowledged_errors(synthesized: Synthesized) -> None:
    errors = [
        f"{v['ruleName']} at {[c['constructPath'] for c in v['violatingConstructs']]}"
        for report in synthesized.report["pluginReports"]
        for v in report.get("violations", [])
        if v["severity"] in ("error", "fatal")
    ]
    assert errors == []


def test_every_acknowledged_nag_rule_is_justified_in_the_template(synthesized: Synthesized) -> None:
    acknowledged = [
        rule
        for resource in synthesized.template["Resources"].values()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    ids = {rule["id"] for rule in acknowledged}
    # proves the pack ran: these are findings it raises on this stack and we accept
    assert {"AwsSolutions-L1", "AwsSolutions-SQS3", "AwsSolutions-APIG2"} <= ids
    assert all(len(rule["reason"]) >= 20 for rule in acknowledged)


def test_cdk_nag_fails_synthesis_on_an_unacknowledged_finding(tmp_path: Path) -> None:
    from aws_cdk import App, Stack
    from aws_cdk import aws_sqs as sqs

    from infra_cdk import nag

    app = App(outdir=str(tmp_path))
    sqs.Queue(Stack(app, "Bad"), "PlainQueue")  # no TLS enforcement, no DLQ
    nag.enable(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()


def test_cfn_lint_finds_nothing(synthesized: Synthesized) -> None:
    # W3005 (a DependsOn that a Ref already implies: CDK writes those) is ignored by the
    # template's own Metadata.cfn-lint config, so `sam validate --lint` agrees.
    template = synthesized.outdir / "AgentPlatform.template.json"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), "--format", "parseable", str(template)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout == ""
    assert result.returncode == 0, result.stdout + result.stderr


def _resolved_asl(synthesized: Synthesized) -> str:
    (machine,) = synthesized.resources("AWS::StepFunctions::StateMachine").values()
    text: str = machine["Properties"]["DefinitionString"]
    for name in machine["Properties"]["DefinitionSubstitutions"]:
        text = text.replace("${" + name + "}", f"arn:aws:lambda:us-east-1:123456789012:function:{name}")
    return text


def test_state_machine_definition_is_fully_substituted(synthesized: Synthesized) -> None:
    assert re.findall(r"\$\{[^}]*\}", _resolved_asl(synthesized)) == []


def test_asl_validator_accepts_the_state_machine(synthesized: Synthesized, tmp_path: Path) -> None:
    if not ASL_VALIDATOR.exists():
        pytest.skip("node_modules/.bin/asl-validator missing: run `make install` (npm install)")
    definition = tmp_path / "graph-run.asl.json"
    definition.write_text(_resolved_asl(synthesized))
    result = subprocess.run(
        [str(ASL_VALIDATOR), "--json-path", str(definition)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_asl_validator_rejects_a_broken_definition(tmp_path: Path) -> None:
    """The check above can fail: a transition to a missing state is caught."""
    if not ASL_VALIDATOR.exists():
        pytest.skip("node_modules/.bin/asl-validator missing: run `make install` (npm install)")
    broken = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}}}
    definition = tmp_path / "broken.asl.json"
    definition.write_text(json.dumps(broken))
    result = subprocess.run(
        [str(ASL_VALIDATOR), "--json-path", str(definition)], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0


def test_sam_local_copy_drops_only_the_websocket_routes(synthesized: Synthesized) -> None:
    from infra_cdk.sam_local import without_websocket_routes

    local = without_websocket_routes(synthesized.template)
    dropped = set(synthesized.template["Resources"]) - set(local["Resources"])
    assert dropped == set(synthesized.resources("AWS::ApiGatewayV2::Route"))
    assert len(dropped) == 3
    assert local["Outputs"] == synthesized.template["Outputs"]
