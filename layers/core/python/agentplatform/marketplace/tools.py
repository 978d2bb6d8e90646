"""The external API's chat tools: find a marketplace agent, run one.

``find_agent`` searches the store as ``GET /api/store/agents?search_query=`` does.
``run_agent`` resolves ``username/slug`` to the listing's active version, reports what
inputs it needs until they are given (or ``use_defaults``), then adds the listing to
the caller's library and starts a run of that version, or, given ``schedule_name`` and
``cron``, schedules that version's runs (as ``POST /api/graphs/{id}/schedules`` does;
the answer's ``execution_id`` is then the schedule's id, as upstream).
"""

from __future__ import annotations

from typing import Any

from agentplatform.config import get_settings
from agentplatform.errors import GraphValidationError, NotFoundError
from agentplatform.models.marketplace import (
    AgentInfo,
    AgentsFoundResponse,
    ErrorResponse,
    ExecutionStartedResponse,
    InputField,
    InputValidationErrorResponse,
    NoResultsResponse,
    RunAgentRequest,
    SetupInfo,
    SetupRequirementsResponse,
    UserReadiness,
)

RunAgentResponse = (
    ExecutionStartedResponse | SetupRequirementsResponse | InputValidationErrorResponse | ErrorResponse
)

FOUND_LIMIT = 10
EXECUTION_MODES = ["manual", "scheduled"]


def find_agent(query: str) -> AgentsFoundResponse | NoResultsResponse:
    from agentplatform.marketplace.listings import ListingService

    agents = ListingService().agents(search_query=query, page=1, page_size=FOUND_LIMIT).agents
    if not agents:
        return NoResultsResponse(
            message=f"No agents found matching '{query}'",
            suggestions=["Try more general terms", "Describe what the agent should do"],
        )
    return AgentsFoundResponse(
        message=f"Found {len(agents)} agents matching '{query}'",
        agents=[
            AgentInfo(
                id=f"{agent.creator}/{agent.slug}",
                name=agent.agent_name,
                description=agent.description,
                source="marketplace",
                creator=agent.creator,
                rating=agent.rating,
                runs=agent.runs,
            )
            for agent in agents
        ],
        count=len(agents),
    )


def _input_fields(schema: dict[str, Any]) -> list[InputField]:
    required = set(schema.get("required") or [])
    return [
        InputField(
            name=name,
            type=str(prop.get("type") or "string"),
            description=str(prop.get("description") or ""),
            required=name in required,
            default=prop.get("default"),
        )
        for name, prop in (schema.get("properties") or {}).items()
    ]


def run_agent(user_id: str, request: RunAgentRequest) -> RunAgentResponse:
    from agentplatform.marketplace.listings import ListingService

    username, _, slug = request.username_agent_slug.strip().partition("/")
    try:
        details = ListingService().agent(username, slug)
    except NotFoundError:
        return ErrorResponse(
            message=f"Agent '{request.username_agent_slug}' was not found in the marketplace",
            error="agent_not_found",
        )
    from agentplatform.library.listings import find_approved_listing

    listing = find_approved_listing(details.store_listing_version_id)
    if listing is None:
        return ErrorResponse(message="The agent is no longer available", error="agent_not_found")
    from agentplatform.store.graphs import GraphRepository

    graph = GraphRepository().get(listing.owner_user_id, listing.graph_id, listing.graph_version)
    fields = _input_fields(graph.input_schema)
    unknown = sorted(set(request.inputs) - {field.name for field in fields})
    if unknown:
        return InputValidationErrorResponse(
            message=f"Unknown input fields: {', '.join(unknown)}",
            unrecognized_fields=unknown,
            inputs=graph.input_schema,
            graph_id=graph.id,
            graph_version=graph.version,
        )
    missing = [f for f in fields if f.required and f.default is None and f.name not in request.inputs]
    if missing or not (request.inputs or request.use_defaults):
        return SetupRequirementsResponse(
            message=f"Agent '{graph.name}' needs these inputs; call again with them, or with use_defaults",
            setup_info=SetupInfo(
                agent_id=graph.id,
                agent_name=graph.name,
                requirements={
                    "credentials": [],
                    "inputs": fields,
                    "execution_modes": ["manual", "scheduled"],
                },
                user_readiness=UserReadiness(has_all_credentials=True, ready_to_run=not missing),
            ),
            graph_id=graph.id,
            graph_version=graph.version,
        )
    if request.schedule_name or request.cron:
        return _schedule(user_id, details.store_listing_version_id, graph, request)
    return _start(user_id, details.store_listing_version_id, graph, request.inputs)


def _start(
    user_id: str, listing_version_id: str, graph: Any, inputs: dict[str, Any]
) -> ExecutionStartedResponse | ErrorResponse:
    from agentplatform.executions.service import ExecutionService
    from agentplatform.library.service import LibraryService

    agent = LibraryService().add_marketplace_agent(user_id, listing_version_id)
    try:
        run = ExecutionService().execute(user_id, graph.id, graph.version, inputs)
    except GraphValidationError as exc:
        return ErrorResponse(message=exc.message, error="validation_error", details=exc.to_detail())
    return _started(f"Agent '{graph.name}' started", run.id, graph, agent.id, run.status.value)


def _schedule(
    user_id: str, listing_version_id: str, graph: Any, request: RunAgentRequest
) -> ExecutionStartedResponse | ErrorResponse:
    from agentplatform.library.service import LibraryService
    from agentplatform.models.schedules import ScheduleCreationRequest
    from agentplatform.schedules.cron import CronError
    from agentplatform.schedules.service import ScheduleService

    if not (request.schedule_name and request.cron):
        return ErrorResponse(message="Scheduling needs both schedule_name and cron", error="invalid_schedule")
    agent = LibraryService().add_marketplace_agent(user_id, listing_version_id)
    schedule = ScheduleCreationRequest(
        name=request.schedule_name,
        cron=request.cron,
        inputs=request.inputs,
        graph_version=graph.version,
        timezone=request.timezone,
    )
    try:
        job = ScheduleService().create(user_id, graph.id, schedule)
    except GraphValidationError as exc:
        return ErrorResponse(message=exc.message, error="validation_error", details=exc.to_detail())
    except CronError as exc:
        return ErrorResponse(message=str(exc), error="invalid_schedule")
    message = f"Agent '{graph.name}' scheduled as '{job.name}'; next run {job.next_run_time}"
    return _started(message, job.id, graph, agent.id)


def _started(
    message: str, execution_id: str, graph: Any, library_agent_id: str, status: str = "QUEUED"
) -> ExecutionStartedResponse:
    return ExecutionStartedResponse(
        message=message,
        execution_id=execution_id,
        graph_id=graph.id,
        graph_name=graph.name,
        library_agent_id=library_agent_id,
        library_agent_link=f"{get_settings().frontend_base_url}/library/agents/{library_agent_id}",
        status=status,
    )
