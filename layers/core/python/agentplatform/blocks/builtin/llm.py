"""The AI blocks (AutoGPT ids and pins): text, structured JSON, summaries, conversations
and lists from any catalogue model.

Every block builds an OpenAI-shaped prompt and goes through
``AIStructuredResponseGeneratorBlock.generate``, which fills ``{{name}}`` placeholders
from ``prompt_values``, asks for the ``expected_format`` keys, and retries a reply that
is not valid JSON with those keys (up to ``retry`` attempts). Rate limits and transient
provider errors are retried underneath, in the HTTP client.
"""

from __future__ import annotations

import enum
from typing import Any

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from agentplatform.llm.blocks import (
    TEST_CREDENTIALS,
    TEST_CREDENTIALS_INPUT,
    AICredentials,
    AICredentialsField,
    api_key_credentials,
    compress_prompt,
    format_prompt,
    model_costs,
    parse_json_reply,
)
from agentplatform.llm.models import DEFAULT_LLM_MODEL, LlmModel
from agentplatform.llm.types import LLMError, LLMResponse
from agentplatform.models.credentials import APIKeyCredentials

DEFAULT_OLLAMA_HOST = "localhost:11434"


def _model_field() -> Any:
    return SchemaField(
        title="LLM Model",
        default=DEFAULT_LLM_MODEL,
        description="The language model to use for answering the prompt.",
        advanced=False,
    )


def _ollama_host_field() -> Any:
    return SchemaField(
        advanced=True,
        default=DEFAULT_OLLAMA_HOST,
        description="Ollama host for local models",
    )


def _max_tokens_field() -> Any:
    return SchemaField(
        advanced=True,
        default=None,
        description="The maximum number of tokens to generate in the chat completion.",
    )


def _prompt_output_field() -> Any:
    return SchemaField(description="The prompt sent to the language model.")


def _format_instructions(expected_format: dict[str, str], list_result: bool) -> str:
    keys = [f'"{key}": "{description}"' for key, description in expected_format.items()]
    if list_result:
        shape = '"results": [\n    {\n      ' + ",\n      ".join(keys) + "\n    }\n  ]"
    else:
        shape = ",\n  ".join(keys)
    return (
        "Reply strictly only in the following JSON format:\n{\n  " + shape + "\n}\n\n"
        "Ensure the response is valid JSON. Do not include any additional text outside of the JSON.\n"
        "If you cannot provide all the keys, provide an empty string for the values you cannot answer."
    )


def _format_error(item: Any, expected: dict[str, str]) -> str | None:
    if not isinstance(item, dict):
        return f"Expected a dictionary, but got {type(item).__name__}"
    missing = sorted(set(expected) - set(item))
    return f"Missing keys: {missing}" if missing else None


def _as_result(parsed: Any, list_result: bool) -> Any:
    if list_result and isinstance(parsed, dict):
        if "results" in parsed:
            return parsed["results"]
        if len(parsed) == 1:
            return next(iter(parsed.values()))
    return parsed


class AIStructuredResponseGeneratorBlock(Block):
    class Input(BlockSchemaInput):
        prompt: str = SchemaField(
            description="The prompt to send to the language model.",
            placeholder="Enter your prompt here...",
        )
        expected_format: dict[str, str] = SchemaField(
            description="Expected format of the response. If provided, the response will be validated "
            "against this format. The keys should be the expected fields in the response, and the values "
            "should be the description of the field.",
        )
        list_result: bool = SchemaField(
            title="List Result",
            default=False,
            description="Whether the response should be a list of objects in the expected format.",
        )
        model: LlmModel = _model_field()
        force_json_output: bool = SchemaField(
            title="Restrict LLM to pure JSON output",
            default=False,
            description="Whether to force the LLM to produce a JSON-only response.",
            advanced=True,
        )
        credentials: AICredentials = AICredentialsField()
        sys_prompt: str = SchemaField(
            title="System Prompt",
            default="",
            description="The system prompt to provide additional context to the model.",
        )
        conversation_history: list[dict] = SchemaField(
            default_factory=list,
            description="The conversation history to provide context for the prompt.",
        )
        retry: int = SchemaField(
            title="Retry Count",
            default=3,
            description="Number of times to retry the LLM call if the response does not match the "
            "expected format.",
        )
        prompt_values: dict[str, str] = SchemaField(
            advanced=False,
            default_factory=dict,
            description="Values used to fill in the prompt. The values can be used in the prompt by putting "
            "them in a double curly braces, e.g. {{variable_name}}.",
        )
        max_tokens: int | None = _max_tokens_field()
        compress_prompt_to_fit: bool = SchemaField(
            advanced=True,
            default=True,
            description="Whether to compress the prompt to fit within the model's context window.",
        )
        ollama_host: str = _ollama_host_field()

    class Output(BlockSchemaOutput):
        response: dict[str, Any] | list[dict[str, Any]] = SchemaField(
            description="The response object generated by the language model."
        )
        prompt: list = _prompt_output_field()

    def __init__(self) -> None:
        super().__init__(
            id="ed55ac19-356e-4243-a6cb-bc599e9b716f",
            description="Call a Large Language Model (LLM) to generate formatted object based on the "
            "given prompt.",
            categories={BlockCategory.AI},
            input_schema=AIStructuredResponseGeneratorBlock.Input,
            output_schema=AIStructuredResponseGeneratorBlock.Output,
            test_input={
                "model": LlmModel.GPT4O,
                "credentials": TEST_CREDENTIALS_INPUT,
                "expected_format": {
                    "field1": "value1",
                    "field2": "value2",
                },
                "prompt": "User prompt",
            },
            test_credentials=TEST_CREDENTIALS,
            test_output=[
                ("response", {"field1": "value1", "field2": "value2"}),
                ("prompt", list),
            ],
            test_mock={
                "llm_call": lambda *args, **kwargs: LLMResponse(
                    raw_response={},
                    prompt=[],
                    response='{"field1": "value1", "field2": "value2"}',
                    prompt_tokens=0,
                    completion_tokens=0,
                )
            },
            costs=model_costs(),
        )

    async def llm_call(
        self,
        credentials: APIKeyCredentials,
        llm_model: LlmModel,
        prompt: list[dict[str, Any]],
        force_json_output: bool = False,
        max_tokens: int | None = None,
        ollama_host: str = DEFAULT_OLLAMA_HOST,
    ) -> LLMResponse:
        from agentplatform.llm.client import llm_call

        return await llm_call(
            credentials,
            llm_model,
            prompt,
            max_tokens,
            force_json_output=force_json_output,
            ollama_host=ollama_host,
        )

    def build_prompt(self, input_data: Input) -> list[dict[str, Any]]:
        prompt: list[dict[str, Any]] = [
            dict(message) for message in input_data.conversation_history if message
        ]
        sys_prompt = format_prompt(input_data.sys_prompt, input_data.prompt_values)
        user_prompt = format_prompt(input_data.prompt, input_data.prompt_values)
        if sys_prompt:
            prompt.append({"role": "system", "content": sys_prompt})
        if input_data.expected_format:
            prompt.append(
                {
                    "role": "system",
                    "content": _format_instructions(input_data.expected_format, input_data.list_result),
                }
            )
        if user_prompt:
            prompt.append({"role": "user", "content": user_prompt})
        if input_data.compress_prompt_to_fit:
            meta = input_data.model.metadata
            budget = meta.context_window - (input_data.max_tokens or meta.max_output_tokens or 4096)
            prompt = compress_prompt(prompt, max(budget, 1024))
        return prompt

    async def generate(
        self, input_data: Input, credentials: APIKeyCredentials
    ) -> tuple[Any, list[dict[str, Any]]]:
        """(the response object, the prompt as first sent)."""
        prompt = self.build_prompt(input_data)
        sent = [dict(message) for message in prompt]
        last_error = "No attempt was made"
        for attempt in range(max(input_data.retry, 1)):
            if attempt:
                from agentplatform.blocks.stats import record_stats

                record_stats(llm_retry_count=1)
            try:
                reply = await self.llm_call(
                    credentials,
                    input_data.model,
                    prompt,
                    force_json_output=input_data.force_json_output,
                    max_tokens=input_data.max_tokens,
                    ollama_host=input_data.ollama_host,
                )
            except LLMError as exc:
                if exc.status is not None and exc.status < 500 and exc.status not in (408, 429):
                    raise ValueError(str(exc)) from None  # a bad key or request: retrying cannot help
                last_error = f"Error calling LLM: {exc}"
                continue
            if not input_data.expected_format:
                return {"response": reply.response}, sent
            try:
                result = _as_result(parse_json_reply(reply.response), input_data.list_result)
                items = result if isinstance(result, list) else [result]
                problems = [p for item in items if (p := _format_error(item, input_data.expected_format))]
                error = "\n".join(problems) if problems else None
            except ValueError as exc:
                error = str(exc)
            if error is None:
                return result, sent
            last_error = error
            prompt.append(
                {
                    "role": "user",
                    "content": f"This is your previous error response:\n--\n{reply.response}\n--\n\n"
                    f"And this is the error:\n--\n{error}\n--",
                }
            )
        raise RuntimeError(last_error)

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        credentials = api_key_credentials(kwargs)
        response, prompt = await self.generate(input_data, credentials)
        yield "response", response
        yield "prompt", prompt


def _structured_input(**values: Any) -> AIStructuredResponseGeneratorBlock.Input:
    return AIStructuredResponseGeneratorBlock.Input(**{k: v for k, v in values.items() if v is not None})


class AITextGeneratorBlock(Block):
    class Input(BlockSchemaInput):
        prompt: str = SchemaField(
            description="The prompt to send to the language model. You can use any of the {keys} from "
            "Prompt Values to fill in the prompt with values from the prompt values dictionary by putting "
            "them in curly braces.",
            placeholder="Enter your prompt here...",
        )
        model: LlmModel = _model_field()
        credentials: AICredentials = AICredentialsField()
        sys_prompt: str = SchemaField(
            title="System Prompt",
            default="",
            description="The system prompt to provide additional context to the model.",
        )
        retry: int = SchemaField(
            title="Retry Count",
            default=3,
            description="Number of times to retry the LLM call if the response does not match the "
            "expected format.",
        )
        prompt_values: dict[str, str] = SchemaField(
            advanced=False,
            default_factory=dict,
            description="Values used to fill in the prompt. The values can be used in the prompt by putting "
            "them in a double curly braces, e.g. {{variable_name}}.",
        )
        ollama_host: str = _ollama_host_field()
        max_tokens: int | None = _max_tokens_field()

    class Output(BlockSchemaOutput):
        response: str = SchemaField(description="The response generated by the language model.")
        prompt: list = _prompt_output_field()

    def __init__(self) -> None:
        super().__init__(
            id="1f292d4a-41a4-4977-9684-7c8d560b9f91",
            description="Call a Large Language Model (LLM) to generate a string based on the given prompt.",
            categories={BlockCategory.AI},
            input_schema=AITextGeneratorBlock.Input,
            output_schema=AITextGeneratorBlock.Output,
            test_input={"prompt": "User prompt", "credentials": TEST_CREDENTIALS_INPUT},
            test_credentials=TEST_CREDENTIALS,
            test_output=[("response", "Response text"), ("prompt", list)],
            test_mock={"llm_call": lambda *args, **kwargs: ({"response": "Response text"}, [])},
            costs=model_costs(),
        )

    async def llm_call(
        self, input_data: AIStructuredResponseGeneratorBlock.Input, credentials: APIKeyCredentials
    ) -> tuple[Any, list[dict[str, Any]]]:
        return await AIStructuredResponseGeneratorBlock().generate(input_data, credentials)

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        credentials = api_key_credentials(kwargs)
        request = _structured_input(
            prompt=input_data.prompt,
            model=input_data.model,
            credentials=input_data.credentials,
            sys_prompt=input_data.sys_prompt,
            retry=input_data.retry,
            prompt_values=input_data.prompt_values,
            ollama_host=input_data.ollama_host,
            max_tokens=input_data.max_tokens,
            expected_format={},
        )
        response, prompt = await self.llm_call(request, credentials)
        yield "response", response["response"]
        yield "prompt", prompt


class SummaryStyle(enum.StrEnum):
    CONCISE = "concise"
    DETAILED = "detailed"
    BULLET_POINTS = "bullet points"
    NUMBERED_LIST = "numbered list"


class AITextSummarizerBlock(Block):
    class Input(BlockSchemaInput):
        text: str = SchemaField(
            description="The text to summarize.", placeholder="Enter the text to summarize here..."
        )
        model: LlmModel = _model_field()
        focus: str = SchemaField(
            title="Focus", default="general information", description="The topic to focus on in the summary"
        )
        style: SummaryStyle = SchemaField(
            title="Summary Style",
            default=SummaryStyle.CONCISE,
            description="The style of the summary to generate.",
        )
        credentials: AICredentials = AICredentialsField()
        max_tokens: int = SchemaField(
            title="Max Tokens",
            default=4096,
            description="The maximum number of tokens to generate in the chat completion.",
            ge=1,
        )
        chunk_overlap: int = SchemaField(
            title="Chunk Overlap",
            default=100,
            description="The number of overlapping tokens between chunks to maintain context.",
            ge=0,
        )
        ollama_host: str = _ollama_host_field()

    class Output(BlockSchemaOutput):
        summary: str = SchemaField(description="The final summary of the text.")
        prompt: list = _prompt_output_field()

    def __init__(self) -> None:
        super().__init__(
            id="a0a69be1-4528-491c-a85a-a4ab6873e3f0",
            description="Utilize a Large Language Model (LLM) to summarize a long text.",
            categories={BlockCategory.AI, BlockCategory.TEXT},
            input_schema=AITextSummarizerBlock.Input,
            output_schema=AITextSummarizerBlock.Output,
            test_input={"text": "Lorem ipsum..." * 100, "credentials": TEST_CREDENTIALS_INPUT},
            test_credentials=TEST_CREDENTIALS,
            test_output=[("summary", "Final summary of a long text"), ("prompt", list)],
            test_mock={
                "llm_call": lambda input_data, credentials: (
                    {"final_summary": "Final summary of a long text"}
                    if "final_summary" in input_data.expected_format
                    else {"summary": "Summary of a chunk of text"},
                    [],
                )
            },
            costs=model_costs(),
        )

    async def llm_call(
        self, input_data: AIStructuredResponseGeneratorBlock.Input, credentials: APIKeyCredentials
    ) -> tuple[Any, list[dict[str, Any]]]:
        return await AIStructuredResponseGeneratorBlock().generate(input_data, credentials)

    @staticmethod
    def split_text(text: str, max_tokens: int, overlap: int) -> list[str]:
        """Word windows of ``max_tokens`` words, each starting ``max_tokens - overlap``
        words after the previous one."""
        words = text.split()
        step = max(max_tokens - overlap, 1)
        return [" ".join(words[start : start + max_tokens]) for start in range(0, len(words), step)]

    def _request(
        self, input_data: Input, prompt: str, key: str, description: str
    ) -> AIStructuredResponseGeneratorBlock.Input:
        return _structured_input(
            prompt=prompt,
            credentials=input_data.credentials,
            model=input_data.model,
            expected_format={key: description},
            ollama_host=input_data.ollama_host,
        )

    async def _summarize(
        self, input_data: Input, credentials: APIKeyCredentials, text: str
    ) -> tuple[str, list]:
        style, focus = input_data.style.value, input_data.focus
        summaries: list[str] = []
        prompt: list = []
        for chunk in self.split_text(text, input_data.max_tokens, input_data.chunk_overlap):
            request = self._request(
                input_data,
                f"Summarize the following text in a {style} form. Focus your summary on the topic of "
                f"`{focus}` if present, otherwise just provide a general summary:\n\n```{chunk}```",
                "summary",
                "The summary of the given text.",
            )
            result, prompt = await self.llm_call(request, credentials)
            summaries.append(str(result["summary"]))
        combined = "\n\n".join(summaries)
        if len(combined.split()) > input_data.max_tokens and len(summaries) > 1:
            return await self._summarize(input_data, credentials, combined)
        request = self._request(
            input_data,
            f"Provide a final summary of the following section summaries in a {style} form, focus your "
            f"summary on the topic of `{focus}` if present:\n\n ```{combined}```\n\n Just respond with the "
            "final_summary in the format specified.",
            "final_summary",
            "The final summary of all provided summaries.",
        )
        result, prompt = await self.llm_call(request, credentials)
        return str(result["final_summary"]), prompt

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        credentials = api_key_credentials(kwargs)
        summary, prompt = await self._summarize(input_data, credentials, input_data.text)
        yield "summary", summary
        yield "prompt", prompt


class AIConversationBlock(Block):
    class Input(BlockSchemaInput):
        prompt: str = SchemaField(
            description="The prompt to send to the language model.",
            placeholder="Enter your prompt here...",
            default="",
            advanced=False,
        )
        messages: list[Any] = SchemaField(description="List of messages in the conversation.")
        model: LlmModel = _model_field()
        credentials: AICredentials = AICredentialsField()
        max_tokens: int | None = _max_tokens_field()
        ollama_host: str = _ollama_host_field()

    class Output(BlockSchemaOutput):
        response: str = SchemaField(description="The model's response to the conversation.")
        prompt: list = _prompt_output_field()

    def __init__(self) -> None:
        super().__init__(
            id="32a87eab-381e-4dd4-bdb8-4c47151be35a",
            description="Advanced LLM call that takes a list of messages and sends them to the language "
            "model.",
            categories={BlockCategory.AI},
            input_schema=AIConversationBlock.Input,
            output_schema=AIConversationBlock.Output,
            test_input={
                "messages": [
                    {"role": "system", "content": "You are a helpful assistant."},
                    {"role": "user", "content": "Who won the world series in 2020?"},
                    {"role": "assistant", "content": "The Los Angeles Dodgers won the World Series in 2020."},
                    {"role": "user", "content": "Where was it played?"},
                ],
                "model": LlmModel.GPT4O,
                "credentials": TEST_CREDENTIALS_INPUT,
            },
            test_credentials=TEST_CREDENTIALS,
            test_output=[
                ("response", "The 2020 World Series was played at Globe Life Field in Arlington, Texas."),
                ("prompt", list),
            ],
            test_mock={
                "llm_call": lambda *args, **kwargs: (
                    {"response": "The 2020 World Series was played at Globe Life Field in Arlington, Texas."},
                    [],
                )
            },
            costs=model_costs(),
        )

    async def llm_call(
        self, input_data: AIStructuredResponseGeneratorBlock.Input, credentials: APIKeyCredentials
    ) -> tuple[Any, list[dict[str, Any]]]:
        return await AIStructuredResponseGeneratorBlock().generate(input_data, credentials)

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        credentials = api_key_credentials(kwargs)
        history = [
            m if isinstance(m, dict) else {"role": "user", "content": str(m)} for m in input_data.messages
        ]
        request = _structured_input(
            prompt=input_data.prompt,
            credentials=input_data.credentials,
            model=input_data.model,
            conversation_history=history,
            max_tokens=input_data.max_tokens,
            expected_format={},
            ollama_host=input_data.ollama_host,
        )
        response, prompt = await self.llm_call(request, credentials)
        yield "response", response["response"]
        yield "prompt", prompt


class AIListGeneratorBlock(Block):
    class Input(BlockSchemaInput):
        focus: str | None = SchemaField(
            description="The focus of the list to generate.",
            placeholder="The top 5 most interesting news stories in the data.",
            default=None,
            advanced=False,
        )
        source_data: str | None = SchemaField(
            description="The data to generate the list from.",
            placeholder="News Today: Humans land on Mars: Today humans landed on mars. -- "
            "AI wins Nobel Prize!",
            default=None,
            advanced=False,
        )
        model: LlmModel = _model_field()
        credentials: AICredentials = AICredentialsField()
        max_retries: int = SchemaField(
            default=3, description="Maximum number of retries for generating a valid list."
        )
        force_json_output: bool = SchemaField(
            title="Restrict LLM to pure JSON output",
            default=False,
            description="Whether to force the LLM to produce a JSON-only response.",
            advanced=True,
        )
        max_tokens: int | None = _max_tokens_field()
        ollama_host: str = _ollama_host_field()

    class Output(BlockSchemaOutput):
        generated_list: list[str] = SchemaField(description="The generated list.")
        list_item: str = SchemaField(description="Each individual item in the list.")
        prompt: list = _prompt_output_field()

    def __init__(self) -> None:
        super().__init__(
            id="9c0b0450-d199-458b-a731-072189dd6593",
            description="Generate a list of values based on the given prompt using a Large Language "
            "Model (LLM).",
            categories={BlockCategory.AI, BlockCategory.TEXT},
            input_schema=AIListGeneratorBlock.Input,
            output_schema=AIListGeneratorBlock.Output,
            test_input={
                "focus": "planets",
                "source_data": "Zylora Prime, Kharon-9, Vortexia, Oceara, Draknos",
                "model": LlmModel.GPT4O,
                "credentials": TEST_CREDENTIALS_INPUT,
                "max_retries": 3,
            },
            test_credentials=TEST_CREDENTIALS,
            test_output=[
                ("generated_list", ["Zylora Prime", "Kharon-9", "Vortexia", "Oceara", "Draknos"]),
                ("prompt", list),
                ("list_item", "Zylora Prime"),
                ("list_item", "Kharon-9"),
                ("list_item", "Vortexia"),
                ("list_item", "Oceara"),
                ("list_item", "Draknos"),
            ],
            test_mock={
                "llm_call": lambda *args, **kwargs: (
                    {"list": ["Zylora Prime", "Kharon-9", "Vortexia", "Oceara", "Draknos"]},
                    [],
                )
            },
            costs=model_costs(),
        )

    async def llm_call(
        self, input_data: AIStructuredResponseGeneratorBlock.Input, credentials: APIKeyCredentials
    ) -> tuple[Any, list[dict[str, Any]]]:
        return await AIStructuredResponseGeneratorBlock().generate(input_data, credentials)

    @staticmethod
    def _prompts(focus: str | None, source_data: str | None) -> tuple[str, str]:
        sys_prompt = (
            "You are a list-generating assistant. Produce exactly the list the user asks for. "
            "Each item is a short plain string with no numbering or bullet characters."
        )
        if source_data:
            prompt = f"Using the data below, generate a list of {focus or 'the main items in the data'}.\n\n"
            prompt += f"Data:\n```\n{source_data}\n```"
        else:
            prompt = f"Generate a list of {focus or 'random items'}."
        return sys_prompt, prompt

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        credentials = api_key_credentials(kwargs)
        sys_prompt, prompt = self._prompts(input_data.focus, input_data.source_data)
        request = _structured_input(
            sys_prompt=sys_prompt,
            prompt=prompt,
            credentials=input_data.credentials,
            model=input_data.model,
            expected_format={"list": "A JSON array of strings: the generated list items, in order."},
            retry=input_data.max_retries,
            force_json_output=input_data.force_json_output,
            max_tokens=input_data.max_tokens,
            ollama_host=input_data.ollama_host,
        )
        result, sent = await self.llm_call(request, credentials)
        items = result.get("list") if isinstance(result, dict) else None
        if not isinstance(items, list):
            raise ValueError("The model did not return a list")
        generated = [item if isinstance(item, str) else str(item) for item in items]
        yield "generated_list", generated
        yield "prompt", sent
        for item in generated:
            yield "list_item", item
