"""An AI summary of one finished run: what it achieved for the user, and how well.

The run's node executions are condensed (per node: block, counts, latest errors,
inputs and outputs cut to 100 characters) and sent with the prompts to a model through
the platform's own AI client (``llm/``), paid with the platform's key for that provider.
The model answers JSON ``{"activity_status": str, "correctness_score": 0..1}``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from agentplatform.errors import MissingConfigError
from agentplatform.llm.models import LlmModel
from agentplatform.models.credentials import APIKeyCredentials
from agentplatform.models.execution import ExecutionStatus, NodeExecutionResult

DEFAULT_SYSTEM_PROMPT = (
    "You review runs of AI agents for the people who ran them. Given a condensed record of "
    "one run, say in at most three plain sentences what the run did for its user, in terms "
    "of their goal rather than the agent's internal steps, and mention a failure only if it "
    "kept them from what they wanted. Then judge how well the run achieved what the agent "
    "is for, from 0.0 (nothing useful) to 1.0 (fully achieved).\n\n"
    'Answer with JSON only: {"activity_status": "<summary>", "correctness_score": <0.0-1.0>}'
)
DEFAULT_USER_PROMPT = (
    "Agent: {{GRAPH_NAME}}\n\nRun record:\n{{EXECUTION_DATA}}\n\n"
    "Summarise what this run accomplished for its user and score its correctness."
)
SAMPLE_CHARS = 100
SAMPLES_PER_NODE = 3
ERRORS_PER_NODE = 10


@dataclass(frozen=True)
class Activity:
    activity_status: str
    correctness_score: float


def platform_credentials(model: LlmModel) -> APIKeyCredentials:
    """The platform's key for the model's provider; 503 (``MissingConfigError``) without one."""
    from agentplatform.integrations.system import SYSTEM_CREDENTIAL_SETTINGS
    from agentplatform.platform_secrets import platform_secret

    settings = SYSTEM_CREDENTIAL_SETTINGS.get(model.provider, ())
    key = platform_secret(settings[0]) if len(settings) == 1 else ""
    if not key:
        setting = settings[0] if settings else f"an API key for {model.provider}"
        raise MissingConfigError(
            f"No model credential is configured for execution analytics with {model.value}: "
            f"set the platform setting {setting}"
        )
    from pydantic import SecretStr

    return APIKeyCredentials(
        id=f"platform-{model.provider}", provider=model.provider, api_key=SecretStr(key), title="Platform key"
    )


def _sample(value: Any) -> Any:
    text = json.dumps(value, default=str)
    return value if len(text) <= SAMPLE_CHARS else text[:SAMPLE_CHARS] + "…"


def _error_text(output: dict[str, list[Any]]) -> str:
    errors = output.get("error") or []
    return str(errors[0]) if errors else "Unknown error"


def run_record(
    graph_name: str,
    graph_description: str,
    run_status: str,
    stats: dict[str, Any],
    nodes: list[NodeExecutionResult],
    block_names: dict[str, str],
) -> dict[str, Any]:
    """The condensed record the model reads (short ids, sampled values)."""
    by_node: dict[str, list[NodeExecutionResult]] = defaultdict(list)
    for node in sorted(nodes, key=lambda n: n.add_time):
        by_node[node.node_id].append(node)
    summary = []
    for node_id, executions in by_node.items():
        failed = [e for e in executions if e.status == ExecutionStatus.FAILED]
        latest = executions[-SAMPLES_PER_NODE:]
        summary.append(
            {
                "node_id": node_id.split("-")[0],
                "block_name": block_names.get(executions[0].block_id, executions[0].block_id),
                "execution_count": len(executions),
                "error_count": len(failed),
                "recent_errors": [_error_text(e.output_data) for e in failed[-ERRORS_PER_NODE:]],
                "recent_inputs": [_sample(e.input_data) for e in latest if e.input_data],
                "recent_outputs": [_sample(e.output_data) for e in latest if e.output_data],
            }
        )
    return {
        "graph_info": {"name": graph_name, "description": graph_description},
        "nodes": summary,
        "overall_status": {
            "status": run_status,
            "total_node_executions": len(nodes),
            "total_errors": sum(node["error_count"] for node in summary),
            "execution_time_seconds": stats.get("duration", 0),
            "error": stats.get("error"),
        },
    }


def _prompt(template: str, graph_name: str, record: dict[str, Any]) -> str:
    return template.replace("{{GRAPH_NAME}}", graph_name).replace(
        "{{EXECUTION_DATA}}", json.dumps(record, indent=2, default=str)
    )


def parse_activity(text: str) -> Activity:
    """The model's JSON answer; ``ValueError`` if it is not what was asked for."""
    start, end = text.find("{"), text.rfind("}")
    try:
        answer = json.loads(text[start : end + 1]) if start >= 0 else None
    except json.JSONDecodeError:
        answer = None
    if not isinstance(answer, dict) or not isinstance(answer.get("activity_status"), str):
        raise ValueError("The model did not answer with an activity_status")
    try:
        score = float(answer["correctness_score"])
    except (KeyError, TypeError, ValueError):
        raise ValueError("The model did not answer with a numeric correctness_score") from None
    return Activity(answer["activity_status"].strip(), min(max(score, 0.0), 1.0))


async def generate_activity(
    *,
    model: LlmModel,
    credentials: APIKeyCredentials,
    graph_name: str,
    record: dict[str, Any],
    system_prompt: str,
    user_prompt: str,
) -> Activity:
    from agentplatform.llm.client import llm_call

    prompt = [
        {"role": "system", "content": system_prompt},
        {"role": "user", "content": _prompt(user_prompt, graph_name, record)},
    ]
    response = await llm_call(credentials, model, prompt, max_tokens=1024, force_json_output=True)
    return parse_activity(response.response)
