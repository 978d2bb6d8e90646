"""Context coercion and the function catalog (pure Python, no synthesis)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from agentplatform.api.domains import DOCS_DOMAIN, DOMAINS
from infra_cdk.catalog import DATA, Access, all_functions, rest_functions
from infra_cdk.config import FUNCTIONS_DIR, PlatformConfig, coerce

pytestmark = pytest.mark.infra


@pytest.mark.parametrize(
    ("raw", "default", "expected"),
    [
        ("false", True, False),
        ("TRUE", False, True),
        (False, True, False),
        ("25", 10, 25),
        ("https://a.example,https://b.example", (), ("https://a.example", "https://b.example")),
        ('["https://a.example"]', (), ("https://a.example",)),
        (["x", " "], (), ("x",)),
        ('{"graph_run.run_node": 5}', {}, {"graph_run.run_node": 5}),
        ({}, {"a": 1}, {}),
        ("example.com", "", "example.com"),
    ],
)
def test_context_values_take_the_type_of_the_default(raw: object, default: object, expected: object) -> None:
    assert coerce(raw, default) == expected


def test_defaults_protect_data() -> None:
    config = PlatformConfig()
    assert config.deletion_protection and config.retain_data
    assert config.bundle is False  # cdk.json turns bundling on for `cdk synth`


def _defines_handler(path: Path) -> bool:
    tree = ast.parse(path.read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names)
    return "handler" in names


def test_every_deployed_handler_exists_in_the_functions_asset() -> None:
    for spec in all_functions(run_node_timeout=300):
        package, module = spec.key.split(".")
        path = FUNCTIONS_DIR / package / f"{module}.py"
        assert path.exists(), spec.handler
        assert _defines_handler(path), f"{path} defines no module-level `handler`"
    assert {spec.key for spec in rest_functions()} == {f"rest.{d}" for d in (*DOMAINS, DOCS_DOMAIN)}


def test_unknown_domains_get_data_access_only_and_docs_gets_none() -> None:
    access = {spec.key: spec.access for spec in rest_functions()}
    assert access[f"rest.{DOCS_DOMAIN}"] == frozenset()
    assert access["rest.admin"] == DATA
    assert Access.CREDENTIALS_ENCRYPT not in access["rest.admin"]
