"""``agentplatform oauth-app`` registers an app in the local cloud's saved state."""

from __future__ import annotations

import json

from agentplatform.config import DEFAULT_USER_ID
from agentplatform.oauth.service import OAuthService
from local.cli import main
from local.cloud import LocalCloud


def test_registered_app_is_saved_and_its_secret_printed_once(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LOCAL_STATE_DIR", str(tmp_path))

    assert (
        main(
            [
                "oauth-app",
                "--name",
                "Demo",
                "--redirect-uri",
                "https://d.example.com/cb",
                "--scope",
                "IDENTITY",
            ]
        )
        == 0
    )
    printed = json.loads(capsys.readouterr().out)

    cloud = LocalCloud(tmp_path).start()
    try:
        service = OAuthService()
        [app] = service.list_mine(DEFAULT_USER_ID)
        assert app.model_dump(mode="json") == printed["application"]
        assert app.scopes == ["IDENTITY"] and app.redirect_uris == ["https://d.example.com/cb"]
        client = service.authenticate_client(app.client_id, printed["client_secret"])
        assert client["id"] == app.id
    finally:
        cloud.stop()
