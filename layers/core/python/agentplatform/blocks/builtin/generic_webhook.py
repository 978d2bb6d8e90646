"""The generic webhook trigger (upstream ``blocks/generic_webhook/triggers.py``).

A graph with this block is run by a webhook-triggered preset
(``POST /api/library/presets/setup-trigger``): every request to the preset's ingress URL
starts a run whose trigger node receives the request body as ``payload``.
"""

from __future__ import annotations

from typing import Any

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockManualWebhookConfig,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)

GENERIC_WEBHOOK_PROVIDER = "generic_webhook"
PLAIN = "plain"


class GenericWebhookTriggerBlock(Block):
    class Input(BlockSchemaInput):
        payload: dict = SchemaField(hidden=True, default_factory=dict)
        constants: dict = SchemaField(
            description="The constants to be set when the block is put on the graph",
            default_factory=dict,
        )
        secret_token: str | None = SchemaField(
            title="Secret token",
            description=(
                "Optional. If set, the platform only accepts incoming webhook requests that "
                "carry this exact value in the 'X-Webhook-Secret' header. Leave empty for "
                "unauthenticated webhooks (the URL itself is the only credential)."
            ),
            default=None,
            secret=True,
            advanced=False,
        )

    class Output(BlockSchemaOutput):
        payload: dict = SchemaField(
            description="The complete webhook payload that was received from the generic webhook."
        )
        constants: dict = SchemaField(
            description="The constants to be set when the block is put on the graph"
        )

    example_payload: dict[str, Any] = {"message": "Hello, World!"}

    def __init__(self) -> None:
        super().__init__(
            id="8fa8c167-2002-47ce-aba8-97572fc5d387",
            description="This block will output the contents of the generic input for the webhook.",
            categories={BlockCategory.INPUT},
            input_schema=GenericWebhookTriggerBlock.Input,
            output_schema=GenericWebhookTriggerBlock.Output,
            webhook_config=BlockManualWebhookConfig(provider=GENERIC_WEBHOOK_PROVIDER, webhook_type=PLAIN),
            test_input={"constants": {"key": "value"}, "payload": self.example_payload},
            test_output=[("constants", {"key": "value"}), ("payload", self.example_payload)],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        yield "constants", input_data.constants
        yield "payload", input_data.payload
