"""The external API's chat tools: find a marketplace agent, run one.

``find_agent`` searches the store as ``GET /api/store/agents?search_query=`` does.
``run_agent`` resolves ``username/slug`` to the listing's active version, reports what
inputs it needs until they are given (or ``use_defaults``), then adds the listing to
the caller's library and starts a run of that version. Scheduling is not wired to the
schedules domain yet: a schedule request answers 400.
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
SCHEDULING_UNAVAILABLE = "Scheduling marketplace agents is not available yet; run the agent instead"


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

    if request.schedule_name or request.cron:
        raise ValueError(SCHEDULING_UNAVAILABLE)
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
                requirements={"credentials": [], "inputs": fields, "execution_modes": ["manual"]},
                user_readiness=UserReadiness(has_all_credentials=True, ready_to_run=not missing),
            ),
            graph_id=graph.id,
            graph_version=graph.version,
        )
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
    return ExecutionStartedResponse(
        message=f"Agent '{graph.name}' started",
        execution_id=run.id,
        graph_id=graph.id,
        graph_name=graph.name,
        library_agent_id=agent.id,
        library_agent_link=f"{get_settings().frontend_base_url}/library/agents/{agent.id}",
        status=run.status.value,
    )
