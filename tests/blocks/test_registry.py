"""The registry's load-time rules, checked on throwaway block packages."""

from __future__ import annotations

import sys
import textwrap
import uuid

import pytest

from agentplatform.blocks.registry import BlockRegistryError, discover, get_block, get_blocks

_HEADER = """
from typing import Any
from pydantic import Field
from agentplatform.blocks import Block, BlockOutput, BlockSchemaInput, BlockSchemaOutput, SchemaField
"""


def _block_source(
    class_name: str, block_id: str, input_field: str = 'x: int = SchemaField(description="x")'
) -> str:
    return f"""
class {class_name}(Block):
    class Input(BlockSchemaInput):
        {input_field}

    class Output(BlockSchemaOutput):
        y: int = SchemaField(description="y")

    def __init__(self):
        super().__init__(id="{block_id}", input_schema={class_name}.Input, output_schema={class_name}.Output)

    async def run(self, input_data, **kwargs) -> BlockOutput:
        yield "y", input_data.x
"""


@pytest.fixture
def make_package(tmp_path, monkeypatch):
    """Write modules into a fresh package on sys.path and return its name."""
    monkeypatch.syspath_prepend(str(tmp_path))
    created: list[str] = []

    def make(**modules: str) -> str:
        name = f"tmp_blocks_{uuid.uuid4().hex}"
        package = tmp_path / name
        package.mkdir()
        (package / "__init__.py").write_text("")
        for module, source in modules.items():
            (package / f"{module}.py").write_text(textwrap.dedent(_HEADER) + source)
        created.append(name)
        return name

    yield make
    for name in created:
        for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[module]


def test_valid_package_loads(make_package):
    block_id = str(uuid.uuid4())
    package = make_package(good=_block_source("GoodBlock", block_id))
    blocks = discover(package)
    assert list(blocks) == [block_id]
    assert blocks[block_id].name == "GoodBlock"


def test_bad_uuid_is_rejected(make_package):
    package = make_package(bad=_block_source("BadIdBlock", "not-a-uuid"))
    with pytest.raises(BlockRegistryError, match=r"BadIdBlock: id 'not-a-uuid' is not a valid UUID"):
        discover(package)


def test_uuid_must_be_the_36_character_form(make_package):
    package = make_package(bad=_block_source("HexIdBlock", uuid.uuid4().hex))
    with pytest.raises(BlockRegistryError, match=r"HexIdBlock: id .* must be a 36-character UUID string"):
        discover(package)


def test_duplicate_id_is_rejected(make_package):
    block_id = str(uuid.uuid4())
    package = make_package(
        first=_block_source("FirstBlock", block_id),
        second=_block_source("SecondBlock", block_id),
    )
    with pytest.raises(
        BlockRegistryError, match=f"id {block_id} is already used by (FirstBlock|SecondBlock)"
    ):
        discover(package)


def test_class_name_must_end_with_block(make_package):
    package = make_package(named=_block_source("Calculator", str(uuid.uuid4())))
    with pytest.raises(BlockRegistryError, match=r"\.Calculator: class name must end with 'Block'"):
        discover(package)


def test_base_classes_are_skipped(make_package):
    block_id = str(uuid.uuid4())
    source = _block_source("ConcreteBlock", block_id).replace(
        "class ConcreteBlock(Block):",
        "class SharedBase(Block):\n    pass\n\n\nclass ConcreteBlock(SharedBase):",
    )
    assert list(discover(make_package(mod=source))) == [block_id]


def test_plain_pydantic_field_is_rejected(make_package):
    package = make_package(
        plain=_block_source("PlainFieldBlock", str(uuid.uuid4()), 'x: int = Field(description="x")')
    )
    with pytest.raises(
        BlockRegistryError, match=r"PlainFieldBlock: field Input\.x must be declared with SchemaField"
    ):
        discover(package)


def test_bare_annotation_is_rejected(make_package):
    package = make_package(bare=_block_source("BareFieldBlock", str(uuid.uuid4()), "x: int"))
    with pytest.raises(BlockRegistryError, match="must be declared with SchemaField"):
        discover(package)


def test_boolean_input_needs_a_default(make_package):
    package = make_package(
        flag=_block_source("FlagBlock", str(uuid.uuid4()), 'x: bool = SchemaField(description="x")')
    )
    with pytest.raises(BlockRegistryError, match="FlagBlock: boolean input 'x' needs a default"):
        discover(package)


def test_builtin_registry_has_the_spec_inventory():
    blocks = get_blocks()
    expected = {
        "1ff065e9-88e8-4358-9d82-8dc91f622ba9": "StoreValueBlock",
        "f3b1c1b2-4c4f-4f0d-8d2f-4c4f0d8d2f4c": "PrintToConsoleBlock",
        "cc10ff7b-7753-4ff2-9af6-9399b1a7eddc": "NoteBlock",
        "422cb708-3109-4277-bfe3-bc2ae5812777": "ReverseListOrderBlock",
        "95d1b990-ce13-4d88-9737-ba5c2070c97b": "UniversalTypeConverterBlock",
        "cbb50872-625b-42f0-8203-a2ae78242d8a": "FileStoreBlock",
        "c0a8e994-ebf1-4a9c-a4d8-89d09c86741b": "AgentInputBlock",
        "363ae599-353e-4804-937e-b2ee3cef3da4": "AgentOutputBlock",
        "7fcd3bcb-8e1b-4e69-903d-32d3d4a92158": "AgentShortTextInputBlock",
        "90a56ffb-7024-4b2b-ab50-e26c5e5ab8ba": "AgentLongTextInputBlock",
        "96dae2bb-97a2-41c2-bd2f-13a3b5a8ea98": "AgentNumberInputBlock",
        "7e198b09-4994-47db-8b4d-952d98241817": "AgentDateInputBlock",
        "2a1c757e-86cf-4c7e-aacf-060dc382e434": "AgentTimeInputBlock",
        "95ead23f-8283-4654-aef3-10c053b74a31": "AgentFileInputBlock",
        "655d6fdf-a334-421c-b733-520549c07cd1": "AgentDropdownInputBlock",
        "cbf36ab5-df4a-43b6-8a7f-f7ed8652116e": "AgentToggleInputBlock",
        "5603b273-f41e-4020-af7d-fbc9c6a8d928": "AgentTableInputBlock",
        "3060088f-6ed9-4928-9ba7-9c92823a7ccd": "MatchTextPatternBlock",
        "3146e4fe-2cdd-4f29-bd12-0c9d5bb4deb0": "ExtractTextInformationBlock",
        "db7d8f02-2f44-4c55-ab7a-eae0941f0c30": "FillTextTemplateBlock",
        "e30a4d42-7b7d-4e6a-b36e-1f9b8e3b7d85": "CombineTextsBlock",
        "d5ea33c8-a575-477a-b42f-2fe3be5055ec": "TextSplitBlock",
        "7e7c87ab-3469-4bcc-9abe-67705091b713": "TextReplaceBlock",
        "3735a31f-7e18-4aca-9e90-08a7120674bc": "FileReadBlock",
        "b1ab9b19-67a6-406d-abf5-2dba76d00c79": "CalculatorBlock",
        "3c9c2f42-b0c3-435f-ba35-05f7a25c772a": "CountItemsBlock",
        "715696a0-e1da-45c8-b209-c2fa9c3b0be6": "ConditionBlock",
        "6dbbc4b3-ca6c-42b6-b508-da52d23e13f2": "IfInputMatchesBlock",
        "f66a3543-28d3-4ab5-8945-9b336371e2ce": "StepThroughItemsBlock",
        "a892b8d9-3e4e-4e9c-9c1e-75f8efcf1bfa": "GetCurrentTimeBlock",
        "b29c1b50-5d0e-4d9f-8f9d-1b0e6fcbf0b1": "GetCurrentDateBlock",
        "716a67b3-6760-42e7-86dc-18645c6e00fc": "GetCurrentDateAndTimeBlock",
        "d67a9c52-5e4e-11e2-bcfd-0800200c9a71": "CountdownTimerBlock",
        "b924ddf4-de4f-4b56-9a85-358930dcbc91": "CreateDictionaryBlock",
        "31d1064e-7446-4693-a7d4-65e5ca1180d1": "AddToDictionaryBlock",
        "0e50422c-6dee-4145-83d6-3a5a392f65de": "FindInDictionaryBlock",
        "46afe2ea-c613-43f8-95ff-6692c3ef6876": "RemoveFromDictionaryBlock",
        "27e31876-18b6-44f3-ab97-f6226d8b3889": "ReplaceDictionaryValueBlock",
        "a3cf3f64-6bb9-4cc6-9900-608a0b3359b0": "DictionaryIsEmptyBlock",
        "a912d5c7-6e00-4542-b2a9-8034136930e4": "CreateListBlock",
        "aeb08fc1-2fc1-4141-bc8e-f758f183a822": "AddToListBlock",
        "5e2c6d0a-1e37-489f-b1d0-8e1812b23333": "FindInListBlock",
        "262ca24c-1025-43cf-a578-534e23234e97": "GetListItemBlock",
        "d93c5a93-ac7e-41c1-ae5c-ef67e6e9b826": "RemoveFromListBlock",
        "fbf62922-bea1-4a3d-8bac-23587f810b38": "ReplaceListItemBlock",
        "896ed73b-27d0-41be-813c-c1c1dc856c03": "ListIsEmptyBlock",
        "3cf9298b-5817-4141-9d80-7c2cc5199c8e": "ConcatenateListsBlock",
        "ab2a782d-22cf-4587-8a70-55b59b3f9f90": "WordCharacterCountBlock",
        "2570e8fe-8447-43ed-84c7-70d657923231": "TextDecoderBlock",
        "d3a7d896-3b78-4f44-8b4b-48fbf4f0bcd8": "CodeExtractionBlock",
        "286380af-9529-4b55-8be0-1d7c854abdb5": "XMLParserBlock",
        "4a448883-71fa-49cf-91cf-70d793bd7d87": "DataSamplingBlock",
        "acf7625e-d2cb-4941-bfeb-2819fc6fc015": "ReadSpreadsheetBlock",
        "6595ae1f-b924-42cb-9a41-551a0611c4b4": "SendWebRequestBlock",
        "fff86bcd-e001-4bad-a7f6-2eae4720c8dc": "SendAuthenticatedWebRequestBlock",
    }
    assert {block_id: blocks[block_id].name for block_id in expected if block_id in blocks} == expected
    assert len(blocks) >= 55


@pytest.mark.parametrize(
    ("block_id", "static", "ui_type"),
    [
        ("1ff065e9-88e8-4358-9d82-8dc91f622ba9", True, "Standard"),
        ("cbb50872-625b-42f0-8203-a2ae78242d8a", True, "Standard"),
        ("c0a8e994-ebf1-4a9c-a4d8-89d09c86741b", True, "Input"),
        ("7fcd3bcb-8e1b-4e69-903d-32d3d4a92158", True, "Input"),
        ("363ae599-353e-4804-937e-b2ee3cef3da4", True, "Output"),
        ("cc10ff7b-7753-4ff2-9af6-9399b1a7eddc", False, "Note"),
        ("b1ab9b19-67a6-406d-abf5-2dba76d00c79", False, "Standard"),
    ],
)
def test_static_output_and_block_type(block_id, static, ui_type):
    block = get_block(block_id)
    assert block is not None
    assert block.static_output is static
    assert block.block_type.value == ui_type


def test_standard_blocks_have_an_error_pin_and_io_blocks_do_not():
    assert "error" in get_block("1ff065e9-88e8-4358-9d82-8dc91f622ba9").output_schema.get_fields()
    assert "error" not in get_block("c0a8e994-ebf1-4a9c-a4d8-89d09c86741b").output_schema.get_fields()
    assert "error" not in get_block("363ae599-353e-4804-937e-b2ee3cef3da4").output_schema.get_fields()


def test_sensitive_action_flag():
    assert get_block("f3b1c1b2-4c4f-4f0d-8d2f-4c4f0d8d2f4c").is_sensitive_action
    assert not get_block("1ff065e9-88e8-4358-9d82-8dc91f622ba9").is_sensitive_action


def test_credentials_field_name_is_enforced(make_package):
    field = (
        'api_key: dict = SchemaField(description="k", json_schema_extra={"credentials_provider": ["openai"]})'
    )
    package = make_package(creds=_block_source("KeyBlock", str(uuid.uuid4()), field))
    with pytest.raises(
        BlockRegistryError, match="KeyBlock: credentials field 'api_key' must be named 'credentials'"
    ):
        discover(package)


@pytest.mark.parametrize("block", sorted(get_blocks().values(), key=lambda b: b.name), ids=lambda b: b.name)
def test_block_schemas_are_valid_flat_json_schemas(block):
    from jsonschema import Draft202012Validator

    for schema in (block.input_schema.jsonschema(), block.output_schema.jsonschema()):
        Draft202012Validator.check_schema(schema)
        assert "$ref" not in str(schema)
        assert schema["type"] == "object"
