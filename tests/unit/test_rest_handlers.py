"""Every REST domain's Lambda goes through the one entry point that checks events."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentplatform.api.domains import DOCS_DOMAIN, DOMAINS

REST_FUNCTIONS = Path(__file__).resolve().parents[2] / "functions" / "rest"


@pytest.mark.parametrize("domain", [*DOMAINS, DOCS_DOMAIN])
def test_each_domain_handler_is_built_by_rest_lambda(domain):
    source = (REST_FUNCTIONS / f"{domain}.py").read_text()
    assert f'handler = rest_lambda("{domain}")' in source
    assert "Mangum(" not in source
