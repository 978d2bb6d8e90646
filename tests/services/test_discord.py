"""SendDiscordMessageBlock and ReadDiscordMessagesBlock against a stub of Discord's REST API."""

from __future__ import annotations

from tests.support.graphs import AGENT_INPUT, AGENT_OUTPUT, link, node
from tests.support.service_fakes import BOT_ID, DISCORD_API, DISCORD_HOSTS, discord_message, discord_routes
from tests.support.service_stub import add_credential, node_runs, run_with, service_stub

SEND = "d0822ab5-9f8a-44a3-8971-531dd0178b6b"
READ = "df06086a-d5ac-4abb-9996-2ad0acb2eff7"
TOKEN = "MTA5.bot-token.secret-9c1f"
CHANNELS = [
    {"id": "101", "type": 0, "name": "general", "last_message_id": "1003"},
    {"id": "102", "type": 0, "name": "random", "last_message_id": "1001"},
    {"id": "103", "type": 2, "name": "lounge"},
    {"id": "104", "type": 4, "name": "Text Channels"},
]


def _send_graph(channel: str):
    return {
        "name": "Announcer",
        "nodes": [
            node("in", AGENT_INPUT, name="text"),
            node("send", SEND, channel_name=channel),
            node("status", AGENT_OUTPUT, name="status"),
            node("id", AGENT_OUTPUT, name="message_id"),
        ],
        "links": [
            link("in", "result", "send", "message_content"),
            link("send", "status", "status", "value"),
            link("send", "message_id", "id", "value"),
        ],
    }


def _read_graph():
    pins = ["message_content", "message_id", "channel_id", "channel_name", "user_id", "username"]
    nodes = [node("read", READ)] + [node(pin, AGENT_OUTPUT, name=pin) for pin in pins]
    return {"name": "Reader", "nodes": nodes, "links": [link("read", pin, pin, "value") for pin in pins]}


def test_send_by_channel_name_posts_2000_character_chunks(api, kms_key, monkeypatch):
    sent: list[dict] = []
    with service_stub(monkeypatch, DISCORD_HOSTS, discord_routes(TOKEN, CHANNELS, {}, sent)) as discord:
        meta = add_credential(api, "discord", api_key=TOKEN)
        _, run = run_with(api, _send_graph("general"), {"text": "x" * 4100}, meta)
    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {"status": ["Message sent"], "message_id": ["2002"]}
    assert [len(m["content"]) for m in sent] == [2000, 2000, 100]
    assert {m["channel_id"] for m in sent} == {"101"}
    assert all(r.headers["Authorization"] == f"Bot {TOKEN}" for r in discord.requests)


def test_send_by_channel_id_uses_the_channel_directly(api, kms_key, monkeypatch):
    sent: list[dict] = []
    with service_stub(monkeypatch, DISCORD_HOSTS, discord_routes(TOKEN, CHANNELS, {}, sent)) as discord:
        meta = add_credential(api, "discord", api_key=TOKEN)
        _, run = run_with(api, _send_graph("102"), {"text": "hi"}, meta)
    assert run["outputs"] == {"status": ["Message sent"], "message_id": ["2000"]}
    assert [r.path for r in discord.requests] == [
        f"{DISCORD_API}/channels/102",
        f"{DISCORD_API}/channels/102/messages",
    ]


def test_send_reports_unknown_and_non_text_channels_as_status(api, kms_key, monkeypatch):
    sent: list[dict] = []
    with service_stub(monkeypatch, DISCORD_HOSTS, discord_routes(TOKEN, CHANNELS, {}, sent)):
        meta = add_credential(api, "discord", api_key=TOKEN)
        _, missing = run_with(api, _send_graph("nope"), {"text": "hi"}, meta)
        _, category = run_with(api, _send_graph("104"), {"text": "hi"}, meta)
    assert missing["outputs"] == {"status": ["Channel not found: nope"]}
    assert category["outputs"] == {"status": ["Channel 104 cannot receive messages (not a text channel)"]}
    assert sent == []


def test_read_returns_the_latest_message_not_written_by_the_bot(api, kms_key, monkeypatch):
    messages = {
        "101": [
            discord_message("1003", BOT_ID, "agent", "my own reply"),
            discord_message(
                "1002",
                "555",
                "ada",
                "!chat see file",
                attachments=[
                    {"filename": "notes.txt", "url": "https://cdn.discordapp.com/attachments/1/2/notes.txt"}
                ],
            ),
        ],
        "102": [discord_message("1001", "556", "bob", "older")],
    }
    routes = discord_routes(TOKEN, CHANNELS, messages, [])
    routes["/attachments/1/2/notes.txt"] = lambda req: (200, {"Content-Type": "text/plain"}, b"file body")
    with service_stub(monkeypatch, [*DISCORD_HOSTS, "cdn.discordapp.com"], routes) as discord:
        meta = add_credential(api, "discord", api_key=TOKEN)
        _, run = run_with(api, _read_graph(), {}, meta)
    assert run["status"] == "COMPLETED"
    assert run["outputs"] == {
        "message_content": ["!chat see file\n\nFile from user: notes.txt\nContent: file body"],
        "message_id": ["1002"],
        "channel_id": ["101"],
        "channel_name": ["general"],
        "user_id": ["555"],
        "username": ["ada"],
    }
    paths = [r.path.split("?")[0] for r in discord.requests]
    assert f"{DISCORD_API}/channels/102/messages" not in paths  # it cannot hold a newer message
    (attachment,) = [r for r in discord.requests if r.path.startswith("/attachments")]
    assert "Authorization" not in attachment.headers  # the bot token stays with Discord's API


def test_read_with_no_message_fails_the_node(api, kms_key, monkeypatch):
    with service_stub(monkeypatch, DISCORD_HOSTS, discord_routes(TOKEN, CHANNELS[2:], {}, [])):
        meta = add_credential(api, "discord", api_key=TOKEN)
        created, run = run_with(api, _read_graph(), {}, meta)
    (read,) = node_runs(run, created, READ)
    assert read["output_data"]["error"] == [
        "raised by ReadDiscordMessagesBlock with message: An error occurred: No message, channel name, "
        f"or username received.. block_id: {READ}"
    ]


def test_a_rejected_token_fails_both_blocks_without_the_token(api, kms_key, monkeypatch):
    with service_stub(monkeypatch, DISCORD_HOSTS, discord_routes("another-token", CHANNELS, {}, [])):
        meta = add_credential(api, "discord", api_key=TOKEN)
        read_graph, read_run = run_with(api, _read_graph(), {}, meta)
        send_graph, send_run = run_with(api, _send_graph("general"), {"text": "hi"}, meta)
    (read,) = node_runs(read_run, read_graph, READ)
    (send,) = node_runs(send_run, send_graph, SEND)
    message = "An error occurred: Discord API error 401: 401: Unauthorized"
    assert read["output_data"]["error"] == [
        f"raised by ReadDiscordMessagesBlock with message: {message}. block_id: {READ}"
    ]
    assert send["output_data"]["error"] == [
        f"raised by SendDiscordMessageBlock with message: {message}. block_id: {SEND}"
    ]
    assert TOKEN not in str(read_run) + str(send_run)
