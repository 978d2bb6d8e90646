"""``/external-api/v1/store`` and ``/tools``: the marketplace for API-key and OAuth callers.

The store reads mirror ``/api/store`` (scope ``READ_STORE``); the tools find and run
marketplace agents (``USE_TOOLS``), see ``marketplace/tools.py``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Security

from agentplatform.api.external_auth import AUTH_ERRORS, require_permission
from agentplatform.api.store_queries import CreatorsQuery, StoreAgentsQuery, path_name
from agentplatform.models.api_keys import APIAuthorizationInfo, APIKeyPermission
from agentplatform.models.marketplace import (
    AgentsFoundResponse,
    CreatorDetails,
    CreatorsResponse,
    ErrorResponse,
    ExecutionStartedResponse,
    FindAgentRequest,
    InputValidationErrorResponse,
    NoResultsResponse,
    RunAgentRequest,
    SetupRequirementsResponse,
    StoreAgentDetails,
    StoreAgentsResponse,
)

router = APIRouter(prefix="/external-api/v1")

ReadStore = Annotated[APIAuthorizationInfo, Security(require_permission(APIKeyPermission.READ_STORE))]
UseTools = Annotated[APIAuthorizationInfo, Security(require_permission(APIKeyPermission.USE_TOOLS))]
_NOT_FOUND: dict[int | str, dict[str, Any]] = {**AUTH_ERRORS, 404: {"description": "Not found"}}


@router.get("/store/agents", tags=["store"], responses={**AUTH_ERRORS, 400: {}})
def get_store_agents(auth: ReadStore, query: Annotated[StoreAgentsQuery, Depends()]) -> StoreAgentsResponse:
    """Get a paginated list of agents from the store with optional filtering and sorting."""
    return query.run()


@router.get("/store/agents/{username}/{agent_name}", tags=["store"], responses=_NOT_FOUND)
def get_store_agent(auth: ReadStore, username: str, agent_name: str) -> StoreAgentDetails:
    """Get details of a specific store agent by username and agent name."""
    from agentplatform.marketplace.listings import ListingService

    return ListingService().agent(path_name(username), path_name(agent_name))


@router.get("/store/creators", tags=["store"], responses={**AUTH_ERRORS, 400: {}})
def get_store_creators(auth: ReadStore, query: Annotated[CreatorsQuery, Depends()]) -> CreatorsResponse:
    """Get a paginated list of store creators with optional filtering and sorting."""
    return query.run()


@router.get("/store/creators/{username}", tags=["store"], responses=_NOT_FOUND)
def get_store_creator(auth: ReadStore, username: str) -> CreatorDetails:
    """Get details of a specific store creator by username."""
    from agentplatform.marketplace.profiles import ProfileService

    return ProfileService().creator(path_name(username))


@router.post("/tools/find-agent", tags=["tools"], responses=AUTH_ERRORS)
def find_agent(auth: UseTools, request: FindAgentRequest) -> AgentsFoundResponse | NoResultsResponse:
    """Search for agents in the marketplace based on capabilities and user needs."""
    from agentplatform.marketplace.tools import find_agent as find

    return find(request.query)


@router.post("/tools/run-agent", tags=["tools"], responses={**AUTH_ERRORS, 400: {}, 404: {}})
def run_agent(
    auth: UseTools, request: RunAgentRequest
) -> ExecutionStartedResponse | SetupRequirementsResponse | InputValidationErrorResponse | ErrorResponse:
    """Run or schedule an agent from the marketplace."""
    from agentplatform.marketplace.tools import run_agent as run

    return run(auth.user_id, request)
