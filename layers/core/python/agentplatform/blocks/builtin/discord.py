"""Discord bot blocks over Discord's REST API (``https://discord.com/api/v10``).

Upstream logs a bot into the gateway (a WebSocket that stays open) for every run; a
Lambda invocation cannot hold one, so both blocks use REST calls with the same bot
token (``Authorization: Bot <token>``), the ``discord`` API-key credential.

- Send: find the channel (by id, else by name in the bot's servers, optionally only
  the named server), then post the text in 2000-character chunks.
- Read: upstream waits for the *next* message the bot sees. Here the block returns the
  *latest* message already posted, across the text channels of the bot's servers (by
  each channel's ``last_message_id``), skipping the bot's own messages. DMs and threads
  are not scanned, and reading message text needs the bot's Message Content intent.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from agentplatform.blocks.credentials import CredentialsField, CredentialsMetaInput
from agentplatform.blocks.service_http import ServiceClient, mock_credentials
from agentplatform.models.credentials import APIKeyCredentials

API_URL = "https://discord.com/api/v10"
MESSAGE_LIMIT = 2000
# Channel types: guild text (0) and announcement (5) channels are looked up by name, as
# discord.py's ``text_channels``; categories, directories, forums and media channels
# take no messages.
TEXT_CHANNEL_TYPES = frozenset({0, 5})
UNMESSAGEABLE_CHANNEL_TYPES = frozenset({4, 14, 15, 16})
READ_PAGE_SIZE = 50
TEXT_ATTACHMENTS = (".txt", ".py")

TEST_CREDENTIALS, TEST_CREDENTIALS_INPUT = mock_credentials(
    "discord", "Mock Discord API key", api_key="test_api_key", input_title="api_key"
)


def DiscordCredentialsField() -> Any:
    return CredentialsField(provider="discord", supported_types=["api_key"], description="Discord bot token")


def discord_client(token: str) -> ServiceClient:
    return ServiceClient("Discord", headers={"Authorization": f"Bot {token}"}, secrets=[token])


async def guild_channels(client: ServiceClient, server_name: str = "") -> list[dict[str, Any]]:
    """Every channel of the bot's servers (only ``server_name``'s when given)."""
    channels: list[dict[str, Any]] = []
    for guild in await client.json("GET", f"{API_URL}/users/@me/guilds"):
        if server_name and guild.get("name") != server_name:
            continue
        channels.extend(await client.json("GET", f"{API_URL}/guilds/{guild['id']}/channels"))
    return channels


class ReadDiscordMessagesBlock(Block):
    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput = DiscordCredentialsField()

    class Output(BlockSchemaOutput):
        message_content: str = SchemaField(description="The content of the message received")
        message_id: str = SchemaField(description="The ID of the message")
        channel_id: str = SchemaField(description="The ID of the channel")
        channel_name: str = SchemaField(description="The name of the channel the message was received from")
        user_id: str = SchemaField(description="The ID of the user who sent the message")
        username: str = SchemaField(description="The username of the user who sent the message")

    def __init__(self) -> None:
        content = "Hello!\n\nFile from user: example.txt\nContent: This is the content of the file."
        super().__init__(
            id="df06086a-d5ac-4abb-9996-2ad0acb2eff7",
            description="Reads messages from a Discord channel using a bot token.",
            categories={BlockCategory.SOCIAL},
            input_schema=ReadDiscordMessagesBlock.Input,
            output_schema=ReadDiscordMessagesBlock.Output,
            test_input={"continuous_read": False, "credentials": TEST_CREDENTIALS_INPUT},
            test_credentials=TEST_CREDENTIALS,
            test_output=[
                ("message_content", content),
                ("message_id", "123456789012345678"),
                ("channel_id", "987654321098765432"),
                ("channel_name", "general"),
                ("user_id", "111222333444555666"),
                ("username", "test_user"),
            ],
            test_mock={
                "run_bot": lambda token: {
                    "output_data": content,
                    "message_id": "123456789012345678",
                    "channel_id": "987654321098765432",
                    "channel_name": "general",
                    "user_id": "111222333444555666",
                    "username": "test_user",
                }
            },
        )

    async def run_bot(self, token: SecretStr) -> dict[str, Any]:
        async with discord_client(token.get_secret_value()) as client:
            bot = await client.json("GET", f"{API_URL}/users/@me")
            found = await _latest_message(client, await guild_channels(client), bot["id"])
        if found is None:
            return {}
        channel, message = found
        return {
            "output_data": await _with_text_attachment(message),
            "message_id": str(message["id"]),
            "channel_id": str(channel["id"]),
            "channel_name": channel.get("name"),
            "user_id": str(message["author"]["id"]),
            "username": message["author"].get("username"),
        }

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **kwargs: Any
    ) -> BlockOutput:
        try:
            result = await self.run_bot(credentials.api_key)
        except ValueError as exc:
            raise ValueError(f"An error occurred: {exc}") from None
        if any(result.get(key) is None for key in ("output_data", "channel_name", "username")):
            raise ValueError("An error occurred: No message, channel name, or username received.")
        yield "message_content", result["output_data"]
        yield "message_id", result["message_id"]
        yield "channel_id", result["channel_id"]
        yield "channel_name", result["channel_name"]
        yield "user_id", result["user_id"]
        yield "username", result["username"]


async def _latest_message(
    client: ServiceClient, channels: list[dict[str, Any]], bot_id: str
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The newest message not written by the bot, with its channel.

    Message ids are snowflakes, which grow with time, so channels are visited newest
    first and the search stops at the first channel that cannot hold a newer message.
    """
    readable = [c for c in channels if c.get("type") in TEXT_CHANNEL_TYPES and c.get("last_message_id")]
    readable.sort(key=lambda c: int(c["last_message_id"]), reverse=True)
    best: tuple[dict[str, Any], dict[str, Any]] | None = None
    for channel in readable:
        if best is not None and int(channel["last_message_id"]) <= int(best[1]["id"]):
            break
        url = f"{API_URL}/channels/{channel['id']}/messages?limit={READ_PAGE_SIZE}"
        response = await client.request("GET", url, allow_status=(403,))  # listed, but not readable
        if response.status_code == 403:
            continue
        for message in response.json():  # newest first
            if str(message["author"]["id"]) != str(bot_id):
                if best is None or int(message["id"]) > int(best[1]["id"]):
                    best = (channel, message)
                break
    return best


async def _with_text_attachment(message: dict[str, Any]) -> str:
    """The message text, followed by its first attachment's text if that is a text file."""
    text: str = message.get("content") or ""
    attachments = message.get("attachments") or []
    if attachments and str(attachments[0].get("filename", "")).endswith(TEXT_ATTACHMENTS):
        attachment = attachments[0]
        async with ServiceClient("Discord CDN") as cdn:  # no bot token to the file host
            file_text = (await cdn.request("GET", attachment["url"])).text
        text += f"\n\nFile from user: {attachment['filename']}\nContent: {file_text}"
    return text


class SendDiscordMessageBlock(Block):
    class Input(BlockSchemaInput):
        credentials: CredentialsMetaInput = DiscordCredentialsField()
        message_content: str = SchemaField(description="The content of the message to send")
        channel_name: str = SchemaField(description="Channel ID or channel name to send the message to")
        server_name: str = SchemaField(
            description="Server name (only needed if using channel name)", advanced=True, default=""
        )

    class Output(BlockSchemaOutput):
        status: str = SchemaField(description="The status of the operation (e.g., 'Message sent', 'Error')")
        message_id: str = SchemaField(description="The ID of the sent message")
        channel_id: str = SchemaField(description="The ID of the channel where the message was sent")

    def __init__(self) -> None:
        super().__init__(
            id="d0822ab5-9f8a-44a3-8971-531dd0178b6b",
            description="Sends a message to a Discord channel using a bot token.",
            categories={BlockCategory.SOCIAL},
            input_schema=SendDiscordMessageBlock.Input,
            output_schema=SendDiscordMessageBlock.Output,
            test_input={
                "channel_name": "general",
                "message_content": "Hello, Discord!",
                "credentials": TEST_CREDENTIALS_INPUT,
            },
            test_output=[
                ("status", "Message sent"),
                ("message_id", "123456789012345678"),
                ("channel_id", "987654321098765432"),
            ],
            test_mock={
                "send_message": lambda token, channel_name, server_name, message_content: {
                    "status": "Message sent",
                    "message_id": "123456789012345678",
                    "channel_id": "987654321098765432",
                }
            },
            test_credentials=TEST_CREDENTIALS,
        )

    async def send_message(
        self, token: str, channel_name: str, server_name: str | None, message_content: str
    ) -> dict[str, Any]:
        async with discord_client(token) as client:
            channel = await _find_channel(client, channel_name, server_name or "")
            if channel is None:
                return {"status": f"Channel not found: {channel_name}"}
            if channel.get("type") in UNMESSAGEABLE_CHANNEL_TYPES:
                return {"status": f"Channel {channel_name} cannot receive messages (not a text channel)"}
            last: dict[str, Any] | None = None
            for chunk in self.chunk_message(message_content):
                url = f"{API_URL}/channels/{channel['id']}/messages"
                last = await client.json("POST", url, json={"content": chunk})
        return {
            "status": "Message sent",
            "message_id": str(last["id"]) if last else "",
            "channel_id": str(channel["id"]),
        }

    @staticmethod
    def chunk_message(message: str, limit: int = MESSAGE_LIMIT) -> list[str]:
        """Discord takes at most 2000 characters per message."""
        return [message[i : i + limit] for i in range(0, len(message), limit)]

    async def run(  # type: ignore[override]
        self, input_data: Input, *, credentials: APIKeyCredentials, **kwargs: Any
    ) -> BlockOutput:
        try:
            result = await self.send_message(
                token=credentials.api_key.get_secret_value(),
                channel_name=input_data.channel_name,
                server_name=input_data.server_name,
                message_content=input_data.message_content,
            )
        except ValueError as exc:
            raise ValueError(f"An error occurred: {exc}") from None
        yield "status", result.get("status", "Unknown error")
        if "message_id" in result:
            yield "message_id", result["message_id"]
        if "channel_id" in result:
            yield "channel_id", result["channel_id"]


async def _find_channel(client: ServiceClient, channel_name: str, server_name: str) -> dict[str, Any] | None:
    """By id first (a channel the bot can see), else a text channel with that name."""
    if channel_name.isdigit():
        response = await client.request("GET", f"{API_URL}/channels/{channel_name}", allow_status=(403, 404))
        if response.status_code == 200:
            found: dict[str, Any] = response.json()
            return found
    for channel in await guild_channels(client, server_name):
        if channel.get("type") in TEXT_CHANNEL_TYPES and channel.get("name") == channel_name:
            return channel
    return None
