"""Write the template copy that ``sam local start-api`` reads (``make synth`` runs this).

SAM CLI (1.170) reads every ``AWS::ApiGatewayV2::Route`` as an HTTP API route
(``"GET /path"``) and crashes on WebSocket keys such as ``$connect``; it cannot emulate
WebSocket APIs anyway. The copy drops just those routes; everything else, the REST
API, functions and layer included, stays exactly as synthesized.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from infra_cdk.config import ROOT, STACK_NAME

SOURCE = ROOT / "cdk.out" / f"{STACK_NAME}.template.json"
TARGET = ROOT / "cdk.out" / f"{STACK_NAME}.sam-local.template.json"
# The one type SAM cannot parse for a WebSocket API; nothing else refers to routes.
DROPPED_TYPE = "AWS::ApiGatewayV2::Route"


def without_websocket_routes(template: dict[str, Any]) -> dict[str, Any]:
    resources = template["Resources"]
    kept = {name: res for name, res in resources.items() if res["Type"] != DROPPED_TYPE}
    return {**template, "Resources": kept}


def main(source: Path = SOURCE, target: Path = TARGET) -> int:
    if not source.exists():
        print(f"{source} is missing: run `make synth` first", file=sys.stderr)
        return 1
    target.write_text(json.dumps(without_websocket_routes(json.loads(source.read_text())), indent=1))
    print(f"wrote {target.relative_to(ROOT)} for `sam local start-api`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
