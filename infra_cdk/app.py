"""CDK entry point: ``python -m infra_cdk.app`` (what ``cdk.json`` runs).

``build_app`` is what tests and the local cloud call: the same stack, the same checks.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    # Run as a script (``python infra_cdk/app.py``, as the local cloud does): Python puts
    # this directory first on sys.path, where ``infra_cdk/constructs`` would shadow the
    # ``constructs`` library. Import from the repository root instead.
    _HERE = Path(__file__).resolve().parent
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]
    sys.path.insert(0, str(_HERE.parent))

# Read when aws_cdk is first imported (they reach the jsii Node process at its start):
# no Node end-of-life banner, and no built-in CloudFormation template validation, which
# only warns, repeats what cfn-lint checks with zero findings in `make test`, and costs
# about half of every synthesis. cdk-nag still runs.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("CDK_VALIDATION", "false")

from aws_cdk import App

from infra_cdk import nag
from infra_cdk.config import STACK_NAME, PlatformConfig
from infra_cdk.stack import AgentPlatformStack

# Behaviour switches of aws-cdk-lib this app relies on, set here so that tests and
# ``cdk synth`` build the very same template.
FEATURE_FLAGS: dict[str, Any] = {
    # access-log delivery through a bucket policy, not the legacy log-delivery ACL
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
    # a function's published version (SnapStart) changes with its layer, not only its code
    "@aws-cdk/aws-lambda:recognizeLayerVersion": True,
}


def build_app(
    context: dict[str, Any] | None = None, outdir: str | None = None
) -> tuple[App, AgentPlatformStack]:
    app = App(context={**FEATURE_FLAGS, **(context or {})}, outdir=outdir)
    config = PlatformConfig.from_context(app.node)
    stack = AgentPlatformStack(app, STACK_NAME, config=config)
    if config.nag:
        nag.enable(app)
    return app, stack


def main() -> None:
    app, _stack = build_app()
    app.synth()


if __name__ == "__main__":
    main()
