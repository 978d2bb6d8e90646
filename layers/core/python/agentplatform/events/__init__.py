"""Live execution events over WebSockets, speaking AutoGPT's protocol (spec §4).

``channels``: channel keys. ``messages``: the wire envelope. ``payloads``: event data.
``connect``/``protocol``: the ``$connect`` and ``$default`` routes. ``build``: events
from table stream images. ``fanout``: sequencing, the replay buffer and delivery.
See docs/websocket.md.
"""
