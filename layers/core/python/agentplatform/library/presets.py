"""Run presets behind ``/api/library/presets``: saved inputs and credentials for a graph.

A preset runs its graph with its inputs, and the run's own inputs win on a clash (upstream
``test_execute_preset_with_clash``); ``POST /api/graphs/{id}/execute/{v}?preset_id=``
merges the same way (``merged_inputs``).
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from agentplatform.errors import NotFoundError
from agentplatform.library.permissions import runnable_graph
from agentplatform.models.credentials import credentials_inputs
from agentplatform.models.execution import GraphExecutionWithNodes, Pagination
from agentplatform.models.library import (
    ExecutePresetRequest,
    LibraryAgentPreset,
    LibraryAgentPresetCreatable,
    LibraryAgentPresetCreatableFromGraphExecution,
    LibraryAgentPresetResponse,
    LibraryAgentPresetUpdatable,
    TriggeredPresetSetupRequest,
)
from agentplatform.models.webhooks import Webhook
from agentplatform.store import keys
from agentplatform.store.graphs import GraphRepository
from agentplatform.store.library import PRESET_TYPE, LibraryRepository, now
from agentplatform.store.table import pack, put_op, unpack


def _not_found(preset_id: str) -> NotFoundError:
    return NotFoundError(f"Preset #{preset_id} not found")


def _merged(
    item: dict[str, Any], inputs: dict[str, Any], credentials: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    return {**unpack(item["inputs"]), **inputs}, {**unpack(item["credentials"]), **credentials}


def to_preset(item: dict[str, Any]) -> LibraryAgentPreset:
    return LibraryAgentPreset(
        id=item["id"],
        user_id=item["user_id"],
        graph_id=item["graph_id"],
        graph_version=item["graph_version"],
        name=item["name"],
        description=item["description"],
        is_active=item["is_active"],
        inputs=unpack(item["inputs"]),
        credentials=unpack(item["credentials"]),
        created_at=item["created_at"],
        updated_at=item["updated_at"],
        webhook_id=item.get("webhook_id"),
        webhook=_webhook(item.get("webhook")),
    )


def _webhook(fields: dict[str, Any] | None) -> Webhook | None:
    if not fields:
        return None
    from agentplatform.integrations.webhooks.service import ingress_url

    return Webhook(**fields, url=ingress_url(fields["provider"], fields["id"]))


def _preset_item(user_id: str, preset: LibraryAgentPresetCreatable) -> dict[str, Any]:
    at = now()
    preset_id = str(uuid.uuid4())
    return {
        "pk": keys.user_pk(user_id),
        "sk": keys.preset_sk(preset_id),
        "type": PRESET_TYPE,
        "id": preset_id,
        "user_id": user_id,
        "graph_id": preset.graph_id,
        "graph_version": preset.graph_version,
        "name": preset.name,
        "description": preset.description,
        "is_active": preset.is_active,
        "is_deleted": False,
        "inputs": pack(preset.inputs),
        "credentials": pack(credentials_inputs(preset.credentials)),
        "created_at": at,
        "updated_at": at,
    }


class PresetService:
    def __init__(self, repo: LibraryRepository | None = None, graphs: GraphRepository | None = None):
        self.repo = repo or LibraryRepository()
        self.graphs = graphs or GraphRepository(self.repo.table)

    def _item(self, user_id: str, preset_id: str) -> dict[str, Any]:
        item = self.repo.get_preset(user_id, preset_id)
        if item is None:
            raise _not_found(preset_id)
        return item

    def list(
        self, user_id: str, page: int, page_size: int, graph_id: str | None
    ) -> LibraryAgentPresetResponse:
        items = [item for item in self.repo.list_presets(user_id) if graph_id in (None, item["graph_id"])]
        items.sort(key=lambda item: (item["created_at"], item["id"]))
        start = (page - 1) * page_size
        return LibraryAgentPresetResponse(
            presets=[to_preset(item) for item in items[start : start + page_size]],
            pagination=Pagination(
                total_items=len(items),
                total_pages=math.ceil(len(items) / page_size),
                current_page=page,
                page_size=page_size,
            ),
        )

    def get(self, user_id: str, preset_id: str) -> LibraryAgentPreset:
        return to_preset(self._item(user_id, preset_id))

    def create(self, user_id: str, preset: LibraryAgentPresetCreatable) -> LibraryAgentPreset:
        """A preset of a graph version the user may run (404 otherwise)."""
        runnable_graph(self.graphs, user_id, preset.graph_id, preset.graph_version)
        item = _preset_item(user_id, preset)
        self.repo.put_preset(item)
        return to_preset(item)

    def create_from_run(
        self, user_id: str, request: LibraryAgentPresetCreatableFromGraphExecution
    ) -> LibraryAgentPreset:
        """A preset holding an earlier run's inputs and credentials."""
        from agentplatform.store.executions import ExecutionRepository, RunRef, run_meta

        run_id = request.graph_execution_id
        run_item = ExecutionRepository(self.repo.table).get_run(RunRef(user_id, run_id))
        if run_item is None:
            raise NotFoundError(f"Graph execution #{run_id} not found")
        run = run_meta(run_item)
        if run.credential_inputs is None:
            graph = runnable_graph(self.graphs, user_id, run.graph_id, run.graph_version)
            if graph.credentials_input_schema.get("properties"):
                raise ValueError(
                    f"Graph execution #{run_id} can't be turned into a preset because its "
                    "credentials inputs were not saved"
                )
        return self.create(
            user_id,
            LibraryAgentPresetCreatable(
                graph_id=run.graph_id,
                graph_version=run.graph_version,
                inputs=run.inputs or {},
                credentials=run.credential_inputs or {},
                name=request.name,
                description=request.description,
                is_active=request.is_active,
            ),
        )

    def update(
        self, user_id: str, preset_id: str, changes: LibraryAgentPresetUpdatable
    ) -> LibraryAgentPreset:
        if (changes.inputs is None) != (changes.credentials is None):
            raise ValueError("Preset inputs and credentials must be provided together")
        fields: dict[str, Any] = {
            name: value
            for name, value in (
                ("name", changes.name),
                ("description", changes.description),
                ("is_active", changes.is_active),
            )
            if value is not None
        }
        if changes.inputs is not None and changes.credentials is not None:
            fields["inputs"] = pack(changes.inputs)
            fields["credentials"] = pack(credentials_inputs(changes.credentials))
        if not fields:
            return self.get(user_id, preset_id)
        return to_preset(self.repo.update_preset(user_id, preset_id, fields))

    def delete(self, user_id: str, preset_id: str) -> None:
        """Soft delete; a trigger preset's webhook goes with it (its URL stops answering)."""
        item = self.repo.update_preset(user_id, preset_id, {"is_deleted": True})
        if item.get("webhook_id"):
            from agentplatform.store.webhooks import WebhookRepository

            WebhookRepository(self.repo.table).delete(item["webhook_id"])

    def setup_trigger(self, user_id: str, request: TriggeredPresetSetupRequest) -> LibraryAgentPreset:
        """A preset bound to a new webhook of the graph's trigger block (upstream ``setup_trigger``).

        The preset's inputs are the trigger block's (``trigger_config``, checked against
        its schema); the webhook and the preset are written in one transaction.
        """
        from agentplatform.graphs.schema import webhook_trigger
        from agentplatform.integrations.webhooks import get_webhook_manager
        from agentplatform.integrations.webhooks.service import new_webhook, public_fields
        from agentplatform.store.webhooks import WebhookRepository, bound_to

        try:
            graph = runnable_graph(self.graphs, user_id, request.graph_id, request.graph_version)
        except NotFoundError as exc:
            raise NotFoundError(f"Graph #{request.graph_id} is not accessible (anymore)") from exc
        trigger = webhook_trigger(graph)
        block = trigger[0] if trigger else None
        if block is None or block.webhook_config is None:
            raise ValueError(f"Graph #{request.graph_id} does not have a webhook trigger node")
        error = block.input_schema.validate_data({**request.trigger_config, "payload": {}})
        if error:
            raise ValueError(f"Could not set up webhook: invalid trigger config: {error}")
        get_webhook_manager(block.webhook_config.provider)  # 404 for a provider without webhooks
        webhook = new_webhook(user_id, block.webhook_config.provider, block.webhook_config.webhook_type, [])
        item = _preset_item(
            user_id,
            LibraryAgentPresetCreatable(
                graph_id=graph.id,
                graph_version=graph.version,
                inputs=request.trigger_config,
                credentials=request.agent_credentials,
                name=request.name,
                description=request.description,
                is_active=True,
            ),
        )
        item.update(webhook_id=webhook["id"], webhook=public_fields(webhook))
        item.update(bound_to(webhook["id"], item["created_at"]))
        new_preset = put_op(item, "attribute_not_exists(pk)")
        self.repo.table.transact([WebhookRepository.new_op(webhook), new_preset])
        return to_preset(item)

    # -- running

    def merged_inputs(
        self,
        user_id: str,
        preset_id: str,
        graph_id: str,
        inputs: dict[str, Any],
        credentials: dict[str, Any],
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The preset's inputs and credentials with the request's on top."""
        item = self._item(user_id, preset_id)
        if item["graph_id"] != graph_id:
            raise ValueError(f"Preset #{preset_id} is not a preset of graph #{graph_id}")
        return _merged(item, inputs, credentials)

    def execute(self, user_id: str, preset_id: str, request: ExecutePresetRequest) -> GraphExecutionWithNodes:
        from agentplatform.executions.service import ExecutionService

        item = self._item(user_id, preset_id)
        inputs, credentials = _merged(item, request.inputs, credentials_inputs(request.credential_inputs))
        return ExecutionService(graphs=self.graphs).execute(
            user_id,
            item["graph_id"],
            item["graph_version"],
            inputs,
            credentials_inputs=credentials,
            preset_id=preset_id,
        )
