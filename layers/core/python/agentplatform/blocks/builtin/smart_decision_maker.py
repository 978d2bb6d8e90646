"""SmartDecisionMakerBlock (AutoGPT id ``3b191d9f-…``): an LLM that picks which
downstream blocks to call.

The nodes linked from its ``tools`` pin become the model's tools (``llm/tools.py``);
a tool call's arguments are emitted on ``tools_^_{sink_node_id}_~_{pin}``, which the
engine routes to exactly that sink pin. The tool's output comes back on
``last_tool_output`` together with the ``conversations`` so far, and the loop goes on
until the model answers without calling a tool (``finished``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    BlockType,
    SchemaField,
)
from agentplatform.engine.pins import TOOL_FIELD_SPLIT, TOOL_PREFIX
from agentplatform.llm.blocks import (
    TEST_CREDENTIALS,
    TEST_CREDENTIALS_INPUT,
    AICredentials,
    AICredentialsField,
    api_key_credentials,
    format_prompt,
    max_tokens_field,
    model_costs,
    model_field,
    ollama_host_field,
    prompt_values_field,
    retry_field,
    sys_prompt_field,
)
from agentplatform.llm.models import LlmModel
from agentplatform.llm.tools import (
    ToolTarget,
    build_tools,
    find_node_graph,
    pending_tool_calls,
    tool_result_message,
)
from agentplatform.llm.types import LLMResponse, ToolCall
from agentplatform.models.credentials import APIKeyCredentials

if TYPE_CHECKING:
    from agentplatform.models.graph import BaseGraph

GraphLoader = Callable[[str, str, "int | None"], "BaseGraph"]

MAIN_OBJECTIVE_PREFIX = "[Main Objective Prompt]: "
DEFAULT_SYS_PROMPT = (
    "Thinking carefully step by step decide which function to call. Always choose a function call from the "
    "list of function available. DO NOT CALL any function that is not listed in the available functions. "
    "If you think you have finished the task, respond without calling any function."
)


def load_graph(user_id: str, graph_id: str, graph_version: int | None) -> BaseGraph:
    if graph_version is None:
        from agentplatform.store.graphs import GraphRepository

        return GraphRepository().get(user_id, graph_id)
    from agentplatform.engine.context import load_graph as cached  # the runner loaded it already

    return cached(user_id, graph_id, int(graph_version))


class SmartDecisionMakerBlock(Block):
    # Replaceable where graphs are not in this user's partition (tests, other loaders).
    graph_loader: GraphLoader = staticmethod(load_graph)

    class Input(BlockSchemaInput):
        prompt: str = SchemaField(
            description="The prompt to send to the language model.",
            placeholder="Enter your prompt here...",
        )
        model: LlmModel = model_field()
        credentials: AICredentials = AICredentialsField()
        multiple_tool_calls: bool = SchemaField(
            title="Multiple Tool Calls",
            default=False,
            description="Whether to allow multiple tool calls in a single response.",
            advanced=True,
        )
        sys_prompt: str = sys_prompt_field(DEFAULT_SYS_PROMPT)
        conversation_history: list[dict] = SchemaField(
            default_factory=list,
            description="The conversation history to provide context for the prompt.",
        )
        last_tool_output: Any = SchemaField(
            default=None, description="The output of the last tool that was called."
        )
        retry: int = retry_field()
        prompt_values: dict[str, str] = prompt_values_field()
        max_tokens: int | None = max_tokens_field()
        ollama_host: str = ollama_host_field("localhost:11434")

        @classmethod
        def get_missing_links(cls, data: dict[str, Any], sink_names: set[str]) -> set[str]:
            # The tool loop's own pins arrive later; they never gate the first call.
            return super().get_missing_links(data, sink_names - {"conversation_history", "last_tool_output"})

        @classmethod
        def get_missing_input(cls, data: dict[str, Any]) -> set[str]:
            if missing := super().get_missing_input(data):
                return missing
            pending = pending_tool_calls(data.get("conversation_history") or [])
            has_output = data.get("last_tool_output") is not None
            if pending and not has_output:
                return {"last_tool_output"}  # a tool is still running
            if has_output and not pending:
                return {"conversation_history"}  # the output came first; wait for the history
            return set()

    class Output(BlockSchemaOutput):
        tools: Any = SchemaField(description="The tools that are available to use.")
        finished: str = SchemaField(description="The finished message to display to the user.")
        conversations: list[Any] = SchemaField(
            description="The conversation history to provide context for the prompt."
        )

    def __init__(self) -> None:
        super().__init__(
            id="3b191d9f-356f-482d-8238-ba04b6d18381",
            description="Uses AI to intelligently decide what tool to use.",
            categories={BlockCategory.AI},
            block_type=BlockType.AI,
            input_schema=SmartDecisionMakerBlock.Input,
            output_schema=SmartDecisionMakerBlock.Output,
            test_input={
                "model": LlmModel.GPT4O,
                "credentials": TEST_CREDENTIALS_INPUT,
                "prompt": "Hello, World!",
            },
            test_credentials=TEST_CREDENTIALS,
            test_output=[("finished", "Done: nothing to call.")],
            test_mock={
                "tool_definitions": lambda *args, **kwargs: ([], {}),
                "llm_call": lambda *args, **kwargs: LLMResponse(
                    raw_response={"role": "assistant", "content": "Done: nothing to call."},
                    prompt=[],
                    response="Done: nothing to call.",
                ),
            },
            costs=model_costs(),
        )

    async def llm_call(
        self,
        credentials: APIKeyCredentials,
        llm_model: LlmModel,
        prompt: list[dict[str, Any]],
        tools: list[dict[str, Any]],
        max_tokens: int | None,
        ollama_host: str,
        parallel_tool_calls: bool,
    ) -> LLMResponse:
        from agentplatform.llm.client import llm_call

        return await llm_call(
            credentials,
            llm_model,
            prompt,
            max_tokens,
            tools=tools or None,
            ollama_host=ollama_host,
            parallel_tool_calls=parallel_tool_calls if tools else None,
        )

    def tool_definitions(self, **kwargs: Any) -> tuple[list[dict[str, Any]], dict[str, ToolTarget]]:
        """Tools from the links of this node, in the graph the engine is running."""
        node_id = str(kwargs.get("node_id") or "")
        graph = kwargs.get("graph")
        if graph is None and not (node_id and kwargs.get("graph_id")):
            return [], {}  # run outside a graph (POST /api/blocks/{id}/execute): no tools
        if graph is None:
            # A marketplace agent's graph is its creator's, not the runner's.
            context = kwargs.get("execution_context") or {}
            owner = context.get("graph_owner_id") or kwargs.get("user_id")
            graph = self.graph_loader(str(owner), str(kwargs.get("graph_id")), kwargs.get("graph_version"))
        holder = find_node_graph(graph, node_id)
        return build_tools(holder, node_id) if holder is not None else ([], {})

    @staticmethod
    def _prompt(input_data: Input) -> tuple[list[dict[str, Any]], bool]:
        """(the conversation, whether to call the model now): not while other results
        of the previous turn's tool calls are still due."""
        prompt: list[dict[str, Any]] = [dict(m) for m in input_data.conversation_history if m]
        pending = pending_tool_calls(prompt)
        if pending and input_data.last_tool_output is None:
            raise ValueError(f"Tool call requires an output for {pending}")
        if pending:
            prompt.append(tool_result_message(pending[0], input_data.last_tool_output))
            if pending_tool_calls(prompt):
                return prompt, False
        sys_prompt = format_prompt(input_data.sys_prompt, input_data.prompt_values)
        user_prompt = format_prompt(input_data.prompt, input_data.prompt_values)

        def present(role: str) -> bool:
            return any(
                m.get("role") == role and str(m.get("content") or "").startswith(MAIN_OBJECTIVE_PREFIX)
                for m in prompt
            )

        if sys_prompt and not present("system"):
            prompt.append({"role": "system", "content": MAIN_OBJECTIVE_PREFIX + sys_prompt})
        if user_prompt and not present("user"):
            prompt.append({"role": "user", "content": MAIN_OBJECTIVE_PREFIX + user_prompt})
        return prompt, True

    @staticmethod
    def _call_errors(calls: list[ToolCall], tools: list[dict[str, Any]]) -> list[str]:
        by_name = {tool["function"]["name"]: tool["function"] for tool in tools}
        errors = []
        for call in calls:
            function = by_name.get(call.name)
            if function is None:
                errors.append(f"Tool call for '{call.name}' does not match any known tool")
                continue
            try:
                args = json.loads(call.arguments or "{}")
            except json.JSONDecodeError:
                errors.append(f"Tool call '{call.name}' has invalid JSON arguments")
                continue
            params = function["parameters"]
            unexpected = sorted(set(args) - set(params["properties"]))
            missing = sorted(set(params["required"]) - set(args))
            if unexpected or missing:
                errors.append(
                    f"Tool call '{call.name}' has parameter errors: "
                    f"unexpected {unexpected}, missing {missing}"
                )
        return errors

    async def _decide(
        self,
        input_data: Input,
        credentials: APIKeyCredentials,
        prompt: list[dict[str, Any]],
        tools: list[dict[str, Any]],
    ) -> LLMResponse:
        from agentplatform.blocks.stats import record_stats

        attempt_prompt = list(prompt)
        errors: list[str] = []
        for attempt in range(max(input_data.retry, 1)):
            if attempt:
                record_stats(llm_retry_count=1)
            response = await self.llm_call(
                credentials,
                input_data.model,
                attempt_prompt,
                tools,
                input_data.max_tokens,
                input_data.ollama_host,
                input_data.multiple_tool_calls,
            )
            errors = self._call_errors(response.tool_calls, tools)
            if not errors:
                return response
            feedback = "\n".join(errors)
            attempt_prompt = [
                *prompt,
                {
                    "role": "user",
                    "content": f"Your tool call was invalid:\n{feedback}\nPlease call the tools correctly.",
                },
            ]
        raise ValueError("Tool call validation failed: " + "; ".join(errors))

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        credentials = api_key_credentials(kwargs)
        tools, targets = self.tool_definitions(**kwargs)
        prompt, ready = self._prompt(input_data)
        if not ready:
            yield "conversations", prompt
            return
        response = await self._decide(input_data, credentials, prompt, tools)
        if not response.tool_calls:
            yield "finished", response.response
            return
        for call in response.tool_calls:
            target = targets[call.name]
            args = json.loads(call.arguments or "{}")
            for param, pin in target.field_mapping.items():
                yield f"{TOOL_PREFIX}{target.sink_node_id}{TOOL_FIELD_SPLIT}{pin}", args.get(param)
        if response.reasoning:
            prompt.append({"role": "assistant", "content": f"[Reasoning]: {response.reasoning}"})
        prompt.append(response.raw_response)
        yield "conversations", prompt
