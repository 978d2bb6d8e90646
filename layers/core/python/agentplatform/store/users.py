"""User records: created once on first login, then read and updated by their owner."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agentplatform.errors import NotFoundError
from agentplatform.models.user import (
    NotificationPreference,
    NotificationPreferenceDTO,
    NotificationType,
    User,
)
from agentplatform.store import keys
from agentplatform.store.table import Table, is_condition_failure


def _to_item(user: User) -> dict[str, Any]:
    return {"pk": keys.user_pk(user.id), "sk": keys.PROFILE, "type": "user", **user.model_dump(mode="json")}


def _from_item(item: dict[str, Any]) -> User:
    return User.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk", "type")})


class UserRepository:
    def __init__(self, table: Table | None = None):
        self.table = table or Table()

    def get(self, user_id: str) -> User:
        item = self.table.get(keys.user_pk(user_id), keys.PROFILE)
        if item is None:
            raise NotFoundError(f"User #{user_id} not found.")
        return _from_item(item)

    def get_or_create(self, user_id: str, email: str = "", name: str | None = None) -> User:
        """The user's record, created on first sight. Safe under concurrent logins."""
        item = self.table.get(keys.user_pk(user_id), keys.PROFILE)
        if item is not None:
            return _from_item(item)
        user = User(id=user_id, email=email, name=name)
        try:
            self.table.put(_to_item(user), condition="attribute_not_exists(pk)")
        except Exception as exc:
            if not is_condition_failure(exc):
                raise
            return self.get(user_id)  # another request created it first
        return user

    def _set(self, user_id: str, fields: dict[str, Any]) -> User:
        """SET ``fields`` (keys may be dotted map paths) on the user, created on first sight."""
        fields = {**fields, "updated_at": datetime.now(UTC).isoformat()}
        try:
            return self._update(user_id, fields)
        except Exception as exc:
            if not is_condition_failure(exc):
                raise
        self.get_or_create(user_id)  # no record yet: create it, then apply the update
        return self._update(user_id, fields)

    def _update(self, user_id: str, fields: dict[str, Any]) -> User:
        names = {f"#{part}": part for path in fields for part in path.split(".")}
        targets = [".".join(f"#{part}" for part in path.split(".")) for path in fields]
        item = self.table.update(
            keys.user_pk(user_id),
            keys.PROFILE,
            "SET " + ", ".join(f"{target} = :v{i}" for i, target in enumerate(targets)),
            condition="attribute_exists(pk)",
            names=names,
            values={f":v{i}": value for i, value in enumerate(fields.values())},
        )
        return _from_item(item)

    def update_email(self, user_id: str, email: str) -> User:
        return self._set(user_id, {"email": email})

    def update_timezone(self, user_id: str, timezone: str) -> User:
        return self._set(user_id, {"timezone": timezone})

    def get_preferences(self, user_id: str) -> NotificationPreference:
        return preferences_of(self.get_or_create(user_id))

    def update_preferences(self, user_id: str, prefs: NotificationPreferenceDTO) -> NotificationPreference:
        stored: dict[str, Any] = {
            "preferences": {k.value: v for k, v in prefs.preferences.items()},
            "daily_limit": prefs.daily_limit,
        }
        # One write to the nested map: no read-merge-write race with other metadata.
        self._set(user_id, {"email": prefs.email, "metadata.notification_preferences": stored})
        return NotificationPreference(user_id=user_id, email=prefs.email, **stored)

    def disable_notifications(self, user_id: str) -> None:
        """Every notification off and no email a day (upstream's one-click unsubscribe).
        The user must exist: an unknown id is a NotFoundError."""
        self.get(user_id)
        stored = {"preferences": {kind.value: False for kind in NotificationType}, "daily_limit": 0}
        self._set(user_id, {"metadata.notification_preferences": stored})


def preferences_of(user: User) -> NotificationPreference:
    stored = user.metadata.get("notification_preferences", {})
    return NotificationPreference(user_id=user.id, email=user.email, **stored)
