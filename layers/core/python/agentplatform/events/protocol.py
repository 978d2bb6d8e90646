"""``$default``: the client's methods and the replies, exactly as upstream answers them.

Replies are posted to the connection (not returned as a route response) so that a
subscription's acknowledgement always reaches the client before its replayed events
(a live event can still overtake it: docs/websocket.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from agentplatform.events import messages as m
from agentplatform.events.channels import graph_exec_channel, graph_execs_channel
from agentplatform.store.connections import ConnectionGone, ConnectionRepository, ReplayFrom
from agentplatform.store.event_log import EventLog

logger = logging.getLogger(__name__)

Send = Callable[[str], None]
Request = TypeVar("Request", bound=BaseModel)


@dataclass
class Session:
    """One ``$default`` invocation: the connection, how to reach it, and the stores."""

    connection_id: str
    send: Send
    connections: ConnectionRepository = field(default_factory=ConnectionRepository)
    log: EventLog = field(default_factory=EventLog)

    def user_id(self) -> str:
        connection = self.connections.get(self.connection_id)
        if connection is None:
            raise ConnectionGone(self.connection_id)
        return str(connection["user_id"])


def handle_message(session: Session, body: str) -> None:
    """Answer one client message. Raises ``ConnectionGone`` for an unknown connection."""
    try:
        message = m.WSMessage.model_validate_json(body)
    except ValidationError:
        session.send(m.error_reply(m.ErrorText.BAD_FORMAT))
        return
    handler = _HANDLERS.get(message.method)
    if handler is None:
        if message.method == m.WSMethod.ERROR:
            logger.error("client reported an error: %.500s", message.data)
        else:
            session.send(m.error_reply(m.ErrorText.NOT_PROCESSED))
        return
    try:
        handler(session, message)
    except ValidationError:
        session.send(m.error_reply(m.ErrorText.BAD_DATA))


def _request(session: Session, message: m.WSMessage, model: type[Request]) -> Request | None:
    if not message.data:
        session.send(m.error_reply(m.ErrorText.DATA_MISSING))
        return None
    return model.model_validate(message.data)


def _subscribe_execution(session: Session, message: m.WSMessage) -> None:
    request = _request(session, message, m.WSSubscribeGraphExecutionRequest)
    if request is None:
        return
    user_id = session.user_id()
    channel = graph_exec_channel(user_id, request.graph_exec_id)
    replay = None if request.since_seq is None else ReplayFrom(user_id, request.graph_exec_id)
    head = session.connections.subscribe(session.connection_id, channel, replay)
    session.send(m.ack_reply(message.method, channel))
    if request.since_seq is not None and head:
        for event in session.log.between(user_id, request.graph_exec_id, request.since_seq, head):
            session.send(m.event_message(event.method, channel, event.data, event.seq))


def _subscribe_executions(session: Session, message: m.WSMessage) -> None:
    request = _request(session, message, m.WSSubscribeGraphExecutionsRequest)
    if request is None:
        return
    channel = graph_execs_channel(session.user_id(), request.graph_id)
    session.connections.subscribe(session.connection_id, channel)
    session.send(m.ack_reply(message.method, channel))


def _unsubscribe(session: Session, message: m.WSMessage) -> None:
    request = _request(session, message, m.WSSubscribeGraphExecutionRequest)
    if request is None:
        return
    channel = graph_exec_channel(session.user_id(), request.graph_exec_id)
    session.connections.unsubscribe(session.connection_id, channel)
    session.send(m.ack_reply(message.method, channel))


def _heartbeat(session: Session, message: m.WSMessage) -> None:
    session.send(m.heartbeat_reply())


_HANDLERS: dict[m.WSMethod, Callable[[Session, m.WSMessage], None]] = {
    m.WSMethod.SUBSCRIBE_GRAPH_EXEC: _subscribe_execution,
    m.WSMethod.SUBSCRIBE_GRAPH_EXECS: _subscribe_executions,
    m.WSMethod.UNSUBSCRIBE: _unsubscribe,
    m.WSMethod.HEARTBEAT: _heartbeat,
}
