"""The user a block is running for, readable by code the block calls (file readers).

Blocks get ``user_id`` as a keyword argument, but helpers such as ``load_media`` are
called with a file reference only. ``Block.execute`` sets this around each step of the
block's run, so an uploaded file (``s3://…/uploads/…``) resolves only for its owner.
The value is set and reset within one ``await``, so it never leaks between steps that
the engine may drive from different tasks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_user: ContextVar[str | None] = ContextVar("acting_user_id", default=None)


def acting_user_id() -> str | None:
    return _user.get()


@contextmanager
def acting_as(user_id: str | None) -> Iterator[None]:
    token = _user.set(user_id)
    try:
        yield
    finally:
        _user.reset(token)
