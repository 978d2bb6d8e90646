"""Run use cases behind the executions routes: execute, stop, read, delete, share."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from agentplatform.engine import admission, launcher
from agentplatform.engine.routing import NewExecution
from agentplatform.engine.starting import starting_executions
from agentplatform.errors import GraphValidationError, NotFoundError
from agentplatform.graphs.validation import validate_graph
from agentplatform.library.permissions import runnable_graph
from agentplatform.models.execution import (
    ExecutionStatus,
    GraphExecutionMeta,
    GraphExecutionsPaginated,
    GraphExecutionWithNodes,
    Pagination,
    SharedExecutionResponse,
    ShareResponse,
)
from agentplatform.models.graph import GraphModel
from agentplatform.store.executions import (
    GRAPH_EXEC_TYPE,
    ExecutionRepository,
    RunRef,
    node_exec_item,
    now,
    run_detail,
    run_item,
    run_meta,
    run_outputs,
)
from agentplatform.store.graphs import GraphRepository
from agentplatform.store.reviews import ReviewRepository
from agentplatform.store.values import ValueLoader

# Listings show large values as previews and read nothing from S3 (one query per page).
_PREVIEWS = ValueLoader(previews_only=True)

_STOPPABLE = (
    ExecutionStatus.INCOMPLETE,
    ExecutionStatus.QUEUED,
    ExecutionStatus.RUNNING,
    ExecutionStatus.REVIEW,
)


def _not_found(graph_exec_id: str) -> NotFoundError:
    return NotFoundError(f"Graph execution #{graph_exec_id} not found.")


def _run_masks(
    graph: Any, credentials_inputs: dict[str, Any] | None, nodes_input_masks: dict[str, dict[str, Any]] | None
) -> dict[str, dict[str, Any]]:
    """Explicit node masks over the request's ``credentials_inputs`` mapped onto nodes."""
    from agentplatform.integrations.resolve import credentials_input_masks, merge_input_masks

    graphs = [graph, *graph.sub_graphs]
    return merge_input_masks(credentials_input_masks(graphs, credentials_inputs), nodes_input_masks)


def _validate_credentials(user_id: str, graph: Any, masks: dict[str, dict[str, Any]]) -> None:
    from agentplatform.integrations.resolve import validate_graph_credentials

    errors = validate_graph_credentials(user_id, [graph, *graph.sub_graphs], masks).node_errors
    if errors:
        raise GraphValidationError.for_nodes(errors)


def _check_required_inputs(graph: Any, inputs: dict[str, Any], masks: dict[str, dict[str, Any]]) -> None:
    """Refuse a run that lacks a required graph input (upstream runs it, and the input's
    branch silently never fires, so the run completes with no output)."""
    from agentplatform.blocks.block import BlockType
    from agentplatform.blocks.registry import get_block

    required = set(graph.input_schema.get("required", []))
    missing: dict[str, str] = {}  # node id -> input name
    for node in graph.nodes:
        block = get_block(node.block_id)
        name = str(node.input_default.get("name", ""))
        if block is None or block.block_type != BlockType.INPUT or name not in required:
            continue
        if inputs.get(name) is None and "value" not in masks.get(node.id, {}):
            missing[node.id] = name
    if missing:
        raise GraphValidationError(
            f"Missing required graph inputs: {', '.join(sorted(set(missing.values())))}",
            {
                node_id: {"value": f"Required graph input '{name}' is missing"}
                for node_id, name in missing.items()
            },
        )


class ExecutionService:
    def __init__(self, repo: ExecutionRepository | None = None, graphs: GraphRepository | None = None):
        self.repo = repo or ExecutionRepository()
        self.graphs = graphs or GraphRepository(self.repo.table)

    # -- execute

    def execute(
        self,
        user_id: str,
        graph_id: str,
        graph_version: int | None,
        inputs: dict[str, Any],
        *,
        credentials_inputs: dict[str, Any] | None = None,
        preset_id: str | None = None,
        nodes_input_masks: dict[str, dict[str, Any]] | None = None,
        parent: dict[str, str] | None = None,
        graph_exec_id: str | None = None,
    ) -> GraphExecutionWithNodes:
        graph, masks, starting = self.prepare(
            user_id, graph_id, graph_version, inputs, credentials_inputs, nodes_input_masks, parent
        )
        meta = GraphExecutionMeta(
            id=graph_exec_id or str(uuid.uuid4()),
            user_id=user_id,
            graph_id=graph.id,
            graph_version=graph.version,
            inputs=inputs,
            credential_inputs=credentials_inputs or None,
            nodes_input_masks=masks or None,
            preset_id=preset_id,
            status=ExecutionStatus.INCOMPLETE,
        )
        ref = RunRef(user_id, meta.id)
        created = now()
        item = run_item(meta, created_at=created, parent=parent)
        item["fail_on_node_error"] = graph.settings.fail_on_node_error
        item["human_in_the_loop_safe_mode"] = graph.settings.human_in_the_loop_safe_mode
        item["sensitive_action_safe_mode"] = graph.settings.sensitive_action_safe_mode
        item["root_id"] = (parent or {}).get("root_id") or meta.id
        if graph.user_id != user_id:  # a marketplace agent: its graph stays its creator's
            item["graph_owner_id"] = graph.user_id
        nodes = [node_exec_item(ref, item, execution, created) for execution in starting]
        self.repo.create_run(item, nodes)
        if not self.queue_and_start(ref, item):
            return self.get(user_id, graph.id, meta.id)
        if parent is None and graph.store_listing_id:  # a listed graph: one more run of the listing
            from agentplatform.store.marketplace import MarketplaceRepository

            MarketplaceRepository(self.repo.table).count_run(graph.store_listing_id)
        return run_detail({**item, "status": ExecutionStatus.QUEUED.value}, nodes)

    def prepare(
        self,
        user_id: str,
        graph_id: str,
        graph_version: int | None,
        inputs: dict[str, Any],
        credentials_inputs: dict[str, Any] | None = None,
        nodes_input_masks: dict[str, dict[str, Any]] | None = None,
        parent: dict[str, str] | None = None,
    ) -> tuple[GraphModel, dict[str, dict[str, Any]], list[NewExecution]]:
        """Every check ``execute`` makes before it writes anything (schedules make them up
        front): the graph version the user may run, its node masks and starting executions."""
        graph = runnable_graph(self.graphs, user_id, graph_id, graph_version, parent=parent)
        masks = _run_masks(graph, credentials_inputs, nodes_input_masks)
        validate_graph(graph, for_run=True, input_masks=masks)
        _validate_credentials(user_id, graph, masks)
        _check_required_inputs(graph, inputs, masks)
        return graph, masks, starting_executions(graph, inputs, masks)

    def queue_and_start(self, ref: RunRef, run: dict[str, Any]) -> bool:
        """Guarded INCOMPLETE -> QUEUED; the run starts now, or (over the per-graph cap)
        waits in line and starts when a slot frees (engine/admission.py). False if it was
        queued already; raises what starting it raised."""
        failed = admission.queue(self.repo, ref, run, capped=not run.get("parent"))
        if failed is None:
            return False
        for failed_ref, exc in failed:
            if failed_ref == ref:
                raise exc
        return True

    # -- stop

    def stop(self, user_id: str, graph_id: str, graph_exec_id: str) -> GraphExecutionMeta | None:
        ref = RunRef(user_id, graph_exec_id)
        item = self.repo.get_run(ref)
        if item is None or item["graph_id"] != graph_id:
            raise _not_found(graph_exec_id)
        snapshot = run_meta(item)
        if snapshot.status not in _STOPPABLE:
            return None
        self.terminate(ref)
        return snapshot

    def terminate(self, ref: RunRef, *, cascading: bool = False) -> None:
        """Stop a run and, first, every sub-graph run it started."""
        for child_id in self.repo.children(ref):
            self.terminate(RunRef(ref.user_id, child_id), cascading=True)
        item = self.repo.end_run(ref, ExecutionStatus.TERMINATED, ended_at=now())
        if item is None:
            return
        launcher.stop(ref.graph_exec_id, int(item.get("part", 0) or 0))
        nodes = self.repo.node_execs(ref)
        in_review = any(n["status"] == ExecutionStatus.REVIEW.value for n in nodes)
        self.repo.terminate_unfinished(ref, nodes)
        if in_review:  # nobody can act on its reviews now
            ReviewRepository(self.repo.table).cancel_waiting(ref)
        admission.released(self.repo, item)
        if item.get("parent") and not cascading:
            # Its state machine will not finalize now: release the parent's waiting node here.
            from agentplatform.engine.finalizer import child_outputs
            from agentplatform.engine.resume import resume_parent

            resume_parent(item, ExecutionStatus.TERMINATED, child_outputs(nodes))

    def terminate_interrupted(self, run_items: Iterable[dict[str, Any]]) -> int:
        """End runs whose orchestration is gone (the local cloud's state machine executions
        live in memory and do not survive a restart): each stoppable top-level run becomes
        TERMINATED, with its sub-graph runs, instead of staying RUNNING for ever. A run in
        REVIEW has no execution to lose: it resumes when reviewed."""
        ended = 0
        for item in run_items:
            if item.get("type") != GRAPH_EXEC_TYPE or item.get("parent"):
                continue
            if item["status"] == ExecutionStatus.REVIEW.value:
                continue
            if ExecutionStatus(item["status"]) in _STOPPABLE:
                self.terminate(RunRef(item["user_id"], item["id"]))
                ended += 1
        return ended

    # -- read

    def get(self, user_id: str, graph_id: str, graph_exec_id: str) -> GraphExecutionWithNodes:
        ref = RunRef(user_id, graph_exec_id)
        item = self.repo.get_run(ref)
        if item is None or item["graph_id"] != graph_id:
            raise _not_found(graph_exec_id)
        return run_detail(item, self.repo.node_execs(ref))

    def list_all(self, user_id: str, limit: int = 250) -> list[GraphExecutionMeta]:
        return [run_meta(item, _PREVIEWS) for item in self.repo.list_runs(user_id)[:limit]]

    def list_for_graph(
        self, user_id: str, graph_id: str, page: int, page_size: int
    ) -> GraphExecutionsPaginated:
        items = self.repo.list_runs(user_id, graph_id)
        start = (page - 1) * page_size
        return GraphExecutionsPaginated(
            executions=[run_meta(item, _PREVIEWS) for item in items[start : start + page_size]],
            pagination=Pagination(
                total_items=len(items),
                total_pages=math.ceil(len(items) / page_size) if items else 0,
                current_page=page,
                page_size=page_size,
            ),
        )

    def delete(self, user_id: str, graph_exec_id: str) -> None:
        if not self.repo.soft_delete(RunRef(user_id, graph_exec_id)):
            raise _not_found(graph_exec_id)

    # -- share

    def share(self, user_id: str, graph_id: str, graph_exec_id: str, frontend_url: str) -> ShareResponse:
        ref = RunRef(user_id, graph_exec_id)
        item = self.repo.get_run(ref)
        if item is None or item["graph_id"] != graph_id:
            raise _not_found(graph_exec_id)
        token = item.get("share_token") or str(uuid.uuid4())
        if not item.get("share_token"):
            self.repo.share(ref, token)
        return ShareResponse(share_url=f"{frontend_url}/share/{token}", share_token=token)

    def unshare(self, user_id: str, graph_id: str, graph_exec_id: str) -> None:
        ref = RunRef(user_id, graph_exec_id)
        item = self.repo.get_run(ref)
        if item is None or item["graph_id"] != graph_id:
            raise _not_found(graph_exec_id)
        self.repo.unshare(ref, item.get("share_token"))

    def shared(self, token: str) -> SharedExecutionResponse:
        item = self.repo.shared_run(token)
        if item is None or not item.get("is_shared"):
            raise NotFoundError("Shared execution not found")
        owner = item.get("graph_owner_id") or item["user_id"]  # a marketplace agent's is its creator's
        graph = self.graphs.get(owner, item["graph_id"], int(item["graph_version"]))
        return SharedExecutionResponse(
            id=item["id"],
            graph_name=graph.name,
            graph_description=graph.description,
            status=ExecutionStatus(item["status"]),
            created_at=datetime.fromisoformat(item["created_at"]).astimezone(UTC),
            outputs=run_outputs(item),
        )
