"""Block behaviour beyond the upstream vectors (spec §5.3 semantics)."""

from __future__ import annotations

import asyncio
import base64
import math
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from agentplatform.blocks import Block, BlockExecutionError, BlockInputError
from agentplatform.blocks.builtin import (
    basic,
    branching,
    code_extraction_block,
    data_manipulation,
    io,
    iteration,
    maths,
    sampling,
    spreadsheet,
    text,
    time_blocks,
    xml_parser,
)
from agentplatform.blocks.media import execution_dir, load_media, store_media_file, stored_path


def run(block: Block, data: dict[str, Any], **kwargs: Any) -> list[tuple[str, Any]]:
    async def go() -> list[tuple[str, Any]]:
        return [pair async for pair in block.execute(data, **kwargs)]

    return asyncio.run(go())


def data_uri(content: bytes, mime: str = "text/plain") -> str:
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"


# ---------------------------------------------------------------- basic / io


def test_store_value_falls_back_to_input_on_falsy_data():
    assert run(basic.StoreValueBlock(), {"input": "in", "data": 0}) == [("output", "in")]
    assert run(basic.StoreValueBlock(), {"input": "in", "data": ""}) == [("output", "in")]


def test_universal_type_converter():
    block = basic.UniversalTypeConverterBlock()
    assert run(block, {"value": "5", "type": "number"}) == [("value", 5.0)]
    assert run(block, {"value": "true", "type": "boolean"}) == [("value", True)]
    assert run(block, {"value": {"a": 1}, "type": "string"}) == [("value", '{"a": 1}')]
    assert run(block, {"value": "x", "type": "list"}) == [("value", ["x"])]
    assert run(block, {"value": "[1, 2]", "type": "dictionary"}) == [("value", {"value": [1, 2]})]


def test_agent_output_without_format_yields_value_then_name():
    assert run(io.AgentOutputBlock(), {"name": "out", "value": {"a": 1}}) == [
        ("output", {"a": 1}),
        ("name", "out"),
    ]


def test_agent_output_escapes_html_when_asked():
    block = io.AgentOutputBlock()
    data = {"name": "x", "value": "<b>", "format": "{{ x }}"}
    assert run(block, data) == [("output", "<b>")]
    assert run(block, {**data, "escape_html": True}) == [("output", "&lt;b&gt;")]


def test_agent_output_reports_a_broken_template_as_output():
    [(pin, value)] = run(io.AgentOutputBlock(), {"name": "x", "value": 1, "format": "{{ x "})
    assert pin == "output"
    assert value.startswith("Error: ") and value.endswith(", 1")


def test_agent_input_yields_nothing_without_value():
    assert run(io.AgentInputBlock(), {"name": "in"}) == []


def test_file_store_writes_into_the_execution_directory():
    exec_id = str(uuid.uuid4())
    [(pin, relative)] = run(basic.FileStoreBlock(), {"file_in": data_uri(b"hello")}, graph_exec_id=exec_id)
    assert pin == "file_out"
    path = stored_path(relative, exec_id)
    assert path.read_bytes() == b"hello"
    assert path.parent == execution_dir(exec_id).resolve()
    # A stored path stays readable by later blocks of the same execution.
    [(_, again)] = run(basic.FileStoreBlock(), {"file_in": relative}, graph_exec_id=exec_id)
    assert again == relative


def test_file_store_base64_returns_a_data_uri():
    uri = data_uri(b"\x89PNG", "image/png")
    assert run(basic.FileStoreBlock(), {"file_in": uri, "base_64": True}) == [("file_out", uri)]


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "a/../../x"])
def test_file_paths_cannot_escape_the_execution_directory(path):
    with pytest.raises(BlockExecutionError, match="outside the execution's file area"):
        run(basic.FileStoreBlock(), {"file_in": path}, graph_exec_id=str(uuid.uuid4()))


def test_missing_file_is_an_error():
    with pytest.raises(BlockExecutionError, match="does not exist"):
        run(text.FileReadBlock(), {"file_input": "nope.txt"}, graph_exec_id=str(uuid.uuid4()))


def test_file_input_block_stores_or_inlines():
    uri = data_uri(b"1", "image/png")
    exec_id = str(uuid.uuid4())
    [(_, relative)] = run(io.AgentFileInputBlock(), {"name": "f", "value": uri}, graph_exec_id=exec_id)
    assert relative.endswith(".png")
    assert stored_path(relative, exec_id).read_bytes() == b"1"
    assert run(io.AgentFileInputBlock(), {"name": "f", "value": uri, "base_64": True}) == [("result", uri)]


def test_invalid_data_uri():
    with pytest.raises(ValueError, match="Invalid base64"):
        asyncio.run(load_media("data:text/plain;base64,!!!", None))


def test_plain_data_uri_is_url_decoded():
    media = asyncio.run(load_media("data:,Hello%20there", None))
    assert media.data == b"Hello there"
    assert media.mime_type == "text/plain"


def test_store_media_file_from_a_trusted_url(monkeypatch):
    from agentplatform.config import get_settings
    from tests.support.http_server import loopback_server, text_route

    with loopback_server({"/report.csv": text_route(200, "a,b\n1,2")}) as server:
        monkeypatch.setenv("TRUST_ENDPOINTS_FOR_REQUESTS", f"127.0.0.1:{server.port}")
        get_settings.cache_clear()
        try:
            exec_id = str(uuid.uuid4())
            relative = asyncio.run(store_media_file(f"{server.base_url}/report.csv", exec_id))
        finally:
            get_settings.cache_clear()
    assert relative.endswith("report.csv")
    assert stored_path(relative, exec_id).read_text() == "a,b\n1,2"


def test_untrusted_url_file_is_refused():
    with pytest.raises(BlockExecutionError, match="blocked or private"):
        run(text.FileReadBlock(), {"file_input": "http://169.254.169.254/latest/user-data"})


# ---------------------------------------------------------------- text


def test_match_text_pattern_dumps_non_strings():
    block = text.MatchTextPatternBlock()
    assert run(block, {"text": {"k": 1}, "match": '"k": 1', "data": ""}) == [("positive", {"k": 1})]


def test_match_text_pattern_times_out_on_catastrophic_patterns(monkeypatch):
    monkeypatch.setattr(text, "REGEX_TIMEOUT_SECONDS", 0.05)
    with pytest.raises(BlockExecutionError, match="took longer than"):
        run(text.MatchTextPatternBlock(), {"text": "a" * 60 + "b", "match": "(a|aa)+$", "data": "x"})


def test_extract_text_information_reports_invalid_patterns_on_pins():
    assert run(text.ExtractTextInformationBlock(), {"text": "abc", "pattern": "("}) == [
        ("negative", "abc"),
        ("matched_results", []),
        ("matched_count", 0),
    ]


def test_fill_text_template_filters_and_sandbox():
    block = text.FillTextTemplateBlock()
    assert run(block, {"values": {"x": "3.14159"}, "format": "{{ x | format('%.2f') }}"}) == [
        ("output", "3.14")
    ]
    with pytest.raises(BlockExecutionError):
        run(block, {"values": {}, "format": "{{ ''.__class__.__mro__[1].__subclasses__() }}"})
    with pytest.raises(BlockExecutionError):
        run(block, {"values": {"x": 1}, "format": "{{ x | tojson }}"})


def test_text_split_of_empty_text():
    assert run(text.TextSplitBlock(), {"text": "", "delimiter": ","}) == [("texts", [])]


def test_file_read_rows_and_chunks():
    block = text.FileReadBlock()
    uri = data_uri(b"h1\nr1\nr2\nr3\nr4")
    assert run(block, {"file_input": uri, "delimiter": "\n", "skip_rows": 1, "row_limit": 2}) == [
        ("content", "r1\nr2")
    ]
    assert run(block, {"file_input": data_uri(b"abcdefg"), "size_limit": 3}) == [
        ("content", "abc"),
        ("content", "def"),
        ("content", "g"),
    ]
    assert run(block, {"file_input": data_uri(b"abcdef"), "skip_size": 4}) == [("content", "ef")]
    assert run(block, {"file_input": data_uri(b"")}) == [("content", "")]


def test_file_read_falls_back_to_latin1():
    assert run(text.FileReadBlock(), {"file_input": data_uri("café".encode("latin-1"))}) == [
        ("content", "café")
    ]


def test_code_extraction_joins_blocks_and_knows_aliases():
    source = "intro\n```py\na = 1\n```\nmiddle\n```python\nb = 2\n```\n```js\nlet c;\n```\nend"
    assert run(code_extraction_block.CodeExtractionBlock(), {"text": source}) == [
        ("javascript", "let c;"),
        ("python", "a = 1\n\nb = 2"),
        ("remaining_text", "intro\nmiddle\nend"),
    ]


def test_text_decoder_decodes_written_escapes():
    from agentplatform.blocks.builtin.decoder_block import TextDecoderBlock

    assert run(TextDecoderBlock(), {"text": "a\\u00e9\\tb"}) == [("decoded_text", "aé\tb")]


# ---------------------------------------------------------------- logic


def test_calculator_edge_cases():
    block = maths.CalculatorBlock()
    assert run(block, {"operation": "Divide", "a": 1, "b": 0}) == [("result", float("inf"))]
    [(_, nan)] = run(block, {"operation": "Power", "a": -8, "b": 0.5})
    assert math.isnan(nan)
    assert run(block, {"operation": "Divide", "a": 7, "b": 2, "round_result": True}) == [("result", 4)]
    assert run(block, {"operation": "Subtract", "a": 1.5, "b": 0.25}) == [("result", 1.25)]


@pytest.mark.parametrize(
    ("collection", "count"),
    [("hello", 5), ({"a": 1, "b": 2}, 2), ([], 0), (5, -1), (None, None)],
)
def test_count_items(collection, count):
    if count is None:
        with pytest.raises(BlockInputError):
            run(maths.CountItemsBlock(), {"collection": collection})
    else:
        assert run(maths.CountItemsBlock(), {"collection": collection}) == [("count", count)]


def test_condition_compares_numeric_strings_and_defaults_outputs():
    block = branching.ConditionBlock()
    assert run(block, {"value1": "10", "operator": ">", "value2": "9"}) == [
        ("result", True),
        ("yes_output", 10.0),
    ]
    assert run(block, {"value1": "a", "operator": "==", "value2": "b"}) == [
        ("result", False),
        ("no_output", "b"),
    ]
    with pytest.raises(BlockExecutionError, match="Comparison failed"):
        run(block, {"value1": "a", "operator": "<", "value2": 3})


def test_if_input_matches_converts_value_to_input_type():
    block = branching.IfInputMatchesBlock()
    assert run(block, {"input": 5, "value": "5", "yes_value": "y"}) == [("result", True), ("yes_output", "y")]
    assert run(block, {"input": True, "value": "true", "yes_value": "y"}) == [
        ("result", True),
        ("yes_output", "y"),
    ]


def test_step_through_items_all_sources_in_order():
    block = iteration.StepThroughItemsBlock()
    result = run(block, {"items": ["a"], "items_object": {"k": "v"}, "items_str": '["s"]'})
    assert result == [("item", "a"), ("key", 0), ("item", "v"), ("key", "k"), ("item", "s"), ("key", 0)]


def test_step_through_items_limits(monkeypatch):
    monkeypatch.setattr(iteration, "MAX_ITEMS", 2)
    with pytest.raises(BlockExecutionError, match="Too many items"):
        run(iteration.StepThroughItemsBlock(), {"items": [1, 2, 3]})


# ---------------------------------------------------------------- time


def test_get_current_date_subtracts_the_offset():
    [(_, value)] = run(
        time_blocks.GetCurrentDateBlock(),
        {"trigger": "x", "offset": 3, "format_type": {"discriminator": "iso8601", "timezone": "UTC"}},
    )
    expected = {(datetime.now(UTC) - timedelta(days=3, seconds=s)).date().isoformat() for s in (0, 60)}
    assert value in expected


def test_get_current_date_non_numeric_offset_is_zero():
    [(_, value)] = run(
        time_blocks.GetCurrentDateBlock(),
        {"trigger": "x", "offset": "soon", "format_type": {"discriminator": "iso8601", "timezone": "UTC"}},
    )
    assert value in {(datetime.now(UTC) - timedelta(seconds=s)).date().isoformat() for s in (0, 60)}


def test_time_in_another_zone_and_user_zone():
    block = time_blocks.GetCurrentTimeBlock()
    fmt = {"discriminator": "iso8601", "timezone": "Asia/Tokyo"}
    [(_, tokyo)] = run(block, {"trigger": "x", "format_type": fmt})
    assert tokyo.endswith("+09:00")
    user_fmt = {"discriminator": "iso8601", "timezone": "UTC", "use_user_timezone": True}
    [(_, user)] = run(
        block, {"trigger": "x", "format_type": user_fmt}, execution_context={"user_timezone": "Asia/Kolkata"}
    )
    assert user.endswith("+05:30")


def test_unknown_timezone_is_an_input_error():
    with pytest.raises(BlockInputError):
        run(
            time_blocks.GetCurrentTimeBlock(),
            {"trigger": "x", "format_type": {"discriminator": "iso8601", "timezone": "Mars/Olympus"}},
        )


def test_countdown_repeats_without_waiting_when_zero():
    assert (
        run(time_blocks.CountdownTimerBlock(), {"input_message": "m", "repeat": 3})
        == [("output_message", "m")] * 3
    )


# ---------------------------------------------------------------- data manipulation


def test_find_in_dictionary_parses_json_strings_and_reads_objects():
    block = data_manipulation.FindInDictionaryBlock()
    assert run(block, {"input": '{"a": {"b": 1}}', "key": "a"}) == [("output", {"b": 1})]
    assert run(block, {"input": [], "key": "k"}) == [("output", [])]
    assert run(block, {"input": [1, 2], "key": -1}) == [("output", 2)]
    assert run(block, {"input": "not json", "key": "a"}) == [("missing", "not json")]


def test_dictionary_errors():
    with pytest.raises(BlockExecutionError, match="Key 'z' not found in dictionary"):
        run(data_manipulation.RemoveFromDictionaryBlock(), {"dictionary": {"a": 1}, "key": "z"})
    with pytest.raises(BlockExecutionError, match="Key 'z' not found in dictionary"):
        run(data_manipulation.ReplaceDictionaryValueBlock(), {"dictionary": {}, "key": "z", "value": 1})


def test_add_to_dictionary_ignores_value_without_key():
    assert run(data_manipulation.AddToDictionaryBlock(), {"dictionary": {"a": 1}, "value": 2}) == [
        ("updated_dictionary", {"a": 1})
    ]


def test_list_errors():
    with pytest.raises(BlockExecutionError, match="Index out of range"):
        run(data_manipulation.GetListItemBlock(), {"list": [1], "index": 5})
    with pytest.raises(BlockExecutionError, match="Index out of range"):
        run(data_manipulation.ReplaceListItemBlock(), {"list": [], "index": 0, "value": 1})
    with pytest.raises(BlockExecutionError, match="Index or value not found"):
        run(data_manipulation.RemoveFromListBlock(), {"list": [1], "value": 9})
    with pytest.raises(BlockExecutionError, match="Index or value not found"):
        run(data_manipulation.RemoveFromListBlock(), {"list": [1]})


def test_add_to_list_ignores_falsy_entry():
    assert run(data_manipulation.AddToListBlock(), {"list": [1], "entry": 0}) == [("updated_list", [1])]


def test_create_list_chunks_by_size_and_tokens():
    block = data_manipulation.CreateListBlock()
    assert run(block, {"values": [1, 2, 3, 4, 5], "max_size": 2}) == [
        ("list", [1, 2]),
        ("list", [3, 4]),
        ("list", [5]),
    ]
    words = ["a" * 8, "b" * 8, "c" * 8]  # 2 tokens each by the 4-characters-per-token estimate
    assert run(block, {"values": words, "max_tokens": 4}) == [("list", words[:2]), ("list", words[2:])]
    assert run(block, {"values": []}) == [("list", [])]


def test_concatenate_lists_rejects_non_lists():
    with pytest.raises(BlockInputError):
        run(data_manipulation.ConcatenateListsBlock(), {"lists": [[1], 2]})


# ---------------------------------------------------------------- xml, sampling, spreadsheet


@pytest.mark.parametrize(
    ("xml", "parsed"),
    [
        ("<a><b>1</b><b>2</b></a>", {"a": [{"b": "1"}, {"b": "2"}]}),
        ("<a><b>1</b><c>2</c></a>", {"a": [{"b": "1"}, {"c": "2"}]}),
        ('<?xml version="1.0"?><root attr="x"><empty/></root>', {"root": {"empty": None}}),
        ("<a> spaced text </a>", {"a": "spaced text"}),
        ("<a><!-- note --><b>x</b></a>", {"a": {"b": "x"}}),
    ],
)
def test_xml_parser_shapes(xml, parsed):
    assert xml_parser.parse_xml(xml) == parsed


@pytest.mark.parametrize(
    "xml", ["<a><b></a>", "<a>", "</a>", "<a></a><b></b>", "<a>text<b>x</b></a>", "<a>1 < 2</a>", "text"]
)
def test_xml_parser_rejects_malformed_documents(xml):
    with pytest.raises(BlockExecutionError, match="Error parsing XML"):
        run(xml_parser.XMLParserBlock(), {"input_xml": xml})


def _rows(n: int) -> list[dict[str, Any]]:
    return [{"id": i, "w": i % 2, "c": i % 4} for i in range(n)]


def test_sampling_methods_are_deterministic_with_a_seed():
    block = sampling.DataSamplingBlock()
    for method in ("random", "systematic", "stratified", "weighted", "reservoir", "cluster"):
        data = {
            "data": _rows(12),
            "sample_size": 4,
            "sampling_method": method,
            "random_seed": 7,
            "stratify_key": "c",
            "weight_key": "w",
            "cluster_key": "c",
        }
        first = run(block, data)
        assert first == run(block, data), method
        assert [pin for pin, _ in first] == ["sampled_data", "sample_indices"]
        assert len(first[1][1]) == 4
    assert run(block, {"data": _rows(5), "sample_size": 2, "sampling_method": "top"})[1] == (
        "sample_indices",
        [0, 1],
    )
    assert run(block, {"data": _rows(5), "sample_size": 2, "sampling_method": "bottom"})[1] == (
        "sample_indices",
        [3, 4],
    )


def test_sampling_errors():
    block = sampling.DataSamplingBlock()
    with pytest.raises(BlockExecutionError, match="cannot be larger than the dataset size"):
        run(block, {"data": _rows(2), "sample_size": 3})
    with pytest.raises(BlockExecutionError, match="Stratify key must be provided"):
        run(block, {"data": _rows(4), "sample_size": 2, "sampling_method": "stratified"})
    with pytest.raises(BlockExecutionError, match="All weights are zero"):
        run(
            block,
            {"data": [{"w": 0}] * 3, "sample_size": 1, "sampling_method": "weighted", "weight_key": "w"},
        )


def test_sampling_accumulates_until_enough_rows():
    block = sampling.DataSamplingBlock()
    data = {"sample_size": 3, "sampling_method": "top", "accumulate": True}
    assert run(block, {**data, "data": _rows(2)}) == []
    assert run(block, {**data, "data": {"id": 99}}) == [
        ("sampled_data", [{"id": 0, "w": 0, "c": 0}, {"id": 1, "w": 1, "c": 1}, {"id": 99}]),
        ("sample_indices", [0, 1, 2]),
    ]
    assert block.accumulated_data == []


def test_spreadsheet_options_and_file_input():
    block = spreadsheet.ReadSpreadsheetBlock()
    csv_text = "name;qty\n skip ;0\n apple ;3\n"
    assert run(block, {"contents": csv_text, "delimiter": ";", "skip_rows": 1}) == [
        ("rows", [{"name": "apple", "qty": "3"}])
    ]
    assert run(block, {"contents": "a,b\n1,2", "has_header": False}) == [
        ("rows", [{"0": "a", "1": "b"}, {"0": "1", "1": "2"}])
    ]
    assert run(block, {"contents": "a\n x ", "strip": False}) == [("rows", [{"a": " x "}])]
    uri = data_uri(b'h1,h2\n"q,1",2', "text/csv")
    assert run(block, {"file_input": uri}) == [("rows", [{"h1": "q,1", "h2": "2"}])]
    with pytest.raises(BlockExecutionError, match="Either 'contents' or 'file_input'"):
        run(block, {})
