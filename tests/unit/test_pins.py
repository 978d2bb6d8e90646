"""Dynamic pins and tool pins: the vectors of upstream's utils_test (spec §3.3)."""

from __future__ import annotations

import pytest

from agentplatform.engine.pins import (
    PinObject,
    is_dynamic_pin,
    merge_execution_input,
    parse_execution_output,
    sanitize_pin_name,
)


class Sample:
    def __init__(self) -> None:
        self.attr1 = "value1"
        self.attr2 = "value2"


# ------------------------------------------------------------ parse_execution_output


@pytest.mark.parametrize(
    ("output", "selector", "expected"),
    [
        (("result", [10, 20, 30]), "result_$_1", 20),
        (("result", [10, 20, 30]), "result", [10, 20, 30]),
        (("config", {"key1": "value1", "key2": "value2"}), "config_#_key1", "value1"),
        (("result", [[1, 2], [3, 4]]), "result_$_0_$_1", 2),
        (("result", [[1, 2], [3, 4]]), "result_$_1_$_0", 3),
        (("result", {"key1": [1, 2], "key2": [3, 4]}), "result_#_key1_$_1", 2),
        (("result", {"key1": [1, 2], "key2": [3, 4]}), "result_#_key2_$_0", 3),
        (("result", [{"key1": "value1"}, {"key2": "value2"}]), "result_$_0_#_key1", "value1"),
        (("result", [{"key1": "value1"}, {"key2": "value2"}]), "result_$_1_#_key2", "value2"),
        (
            ("result", {"key1": [{"inner_key1": [1, 2]}, {"inner_key2": [3, 4]}]}),
            "result_#_key1_$_0_#_inner_key1_$_1",
            2,
        ),
        (
            ("result", {"key1": [{"inner_key1": [1, 2]}, {"inner_key2": [3, 4]}]}),
            "result_#_key1_$_1_#_inner_key2_$_0",
            3,
        ),
        (("result", [1, 2, 3]), "result_$_5", None),
        (("result", {"key1": "value1"}), "result_#_key2", None),
        (("result", [1, 2, 3]), "result_#_key1", None),
        (("result", {"key1": "value1"}), "result_$_0", None),
        (("result", [1, 2, 3]), "result_$_abc", None),
        (("result", [1, 2, 3]), "other_name", None),
        (("result", [1, 2, 3]), "result2", None),
        (("result", [1, 2, 3]), "resultX_$_0", None),
        (("result", {"a": None}), "result_#_a", None),
        (("result", {"a": {"b": "deep"}}), "result_#_a_#_b", "deep"),
    ],
)
def test_parse_execution_output_selects_sub_values(output, selector, expected):
    assert parse_execution_output(output, selector) == expected


def test_parse_execution_output_reads_object_attributes():
    assert parse_execution_output(("object", Sample()), "object_@_attr1") == "value1"
    assert parse_execution_output(("object", Sample()), "object_@_attr2") == "value2"
    assert parse_execution_output(("object", Sample()), "object_@_attr3") is None
    assert parse_execution_output(("obj", PinObject(inner=[1, 2])), "obj_@_inner_$_1") == 2


def test_parse_execution_output_attribute_step_does_not_read_dict_methods():
    assert parse_execution_output(("result", {"items": 1}), "result_@_items") is None


def test_tool_pin_routes_only_to_its_sink():
    output = ("tools_^_node-123_~_query", "search term")
    assert parse_execution_output(output, "tools", "node-123", "query") == "search term"
    assert parse_execution_output(output, "tools_^_node-123_~_query", "node-123", "query") == "search term"
    assert parse_execution_output(output, "tools", "node-456", "query") is None
    assert parse_execution_output(output, "tools", "node-123", "other") is None
    assert parse_execution_output(output, "result", "node-123", "query") is None


def test_tool_pin_field_may_contain_underscores():
    output = ("tools_^_abc_~_max_keyword_difficulty", 50)
    assert parse_execution_output(output, "tools", "abc", "max_keyword_difficulty") == 50


def test_tool_pin_without_sink_info_raises():
    output = ("tools_^_node-123_~_query", "x")
    with pytest.raises(
        ValueError, match="sink_node_id and sink_pin_name must be provided for tool pin routing"
    ):
        parse_execution_output(output, "tools")
    with pytest.raises(ValueError, match="must be provided for tool pin routing"):
        parse_execution_output(output, "tools", sink_node_id="node-123")


def test_tool_pin_without_field_separator_routes_nowhere():
    assert parse_execution_output(("tools_^_node-123", 1), "tools", "node-123", "q") is None


# ------------------------------------------------------------ merge_execution_input


def test_merge_list():
    result = merge_execution_input({"list_$_0": "a", "list_$_1": "b"})
    assert result["list"] == ["a", "b"]


def test_merge_list_pads_missing_slots_with_none():
    result = merge_execution_input({"list_$_0": "a", "list_$_2": "c"})
    assert result["list"] == ["a", None, "c"]


def test_merge_dict():
    result = merge_execution_input({"dict_#_key1": "value1", "dict_#_key2": "value2"})
    assert result["dict"] == {"key1": "value1", "key2": "value2"}


def test_merge_object():
    result = merge_execution_input({"object_@_attr1": "value1", "object_@_attr2": "value2"})
    assert isinstance(result["object"], PinObject)
    assert result["object"].attr1 == "value1"
    assert result["object"].attr2 == "value2"
    assert result["object"].to_dict() == {"attr1": "value1", "attr2": "value2"}


def test_merge_nested_list():
    data = {"nested_list_$_0_$_0": "a", "nested_list_$_0_$_1": "b", "nested_list_$_1_$_0": "c"}
    assert merge_execution_input(data)["nested_list"] == [["a", "b"], ["c"]]


def test_merge_list_of_dicts():
    data = {
        "list_with_dict_$_0_#_key1": "value1",
        "list_with_dict_$_0_#_key2": "value2",
        "list_with_dict_$_1_#_key3": "value3",
    }
    assert merge_execution_input(data)["list_with_dict"] == [
        {"key1": "value1", "key2": "value2"},
        {"key3": "value3"},
    ]


def test_merge_dict_of_lists():
    data = {
        "dict_with_list_#_key1_$_0": "value1",
        "dict_with_list_#_key1_$_1": "value2",
        "dict_with_list_#_key2_$_0": "value3",
    }
    assert merge_execution_input(data)["dict_with_list"] == {"key1": ["value1", "value2"], "key2": ["value3"]}


def test_merge_complex_structure():
    data = {
        "complex_$_0_#_key1_$_0": "value1",
        "complex_$_0_#_key1_$_1": "value2",
        "complex_$_0_#_key2_@_attr1": "value3",
        "complex_$_1_#_key3_$_0": "value4",
    }
    complex_value = merge_execution_input(data)["complex"]
    assert complex_value[0]["key1"] == ["value1", "value2"]
    assert isinstance(complex_value[0]["key2"], PinObject)
    assert complex_value[0]["key2"].attr1 == "value3"
    assert complex_value[1]["key3"] == ["value4"]


def test_merge_rejects_non_integer_list_index():
    with pytest.raises(ValueError, match="index must be an integer"):
        merge_execution_input({"list_$_invalid": "value"})


def test_merge_keeps_flattened_keys_and_plain_keys():
    data = {"values_#_name": "Alice", "format": "Hi {{name}}"}
    result = merge_execution_input(data)
    assert result == {"values_#_name": "Alice", "format": "Hi {{name}}", "values": {"name": "Alice"}}
    assert data == {"values_#_name": "Alice", "format": "Hi {{name}}"}


def test_merge_extends_an_existing_container_without_mutating_it():
    existing = {"greeting": "hello"}
    result = merge_execution_input({"values": existing, "values_#_name": "Alice"})
    assert result["values"] == {"greeting": "hello", "name": "Alice"}
    assert existing == {"greeting": "hello"}


def test_merge_later_key_replaces_container_kind():
    result = merge_execution_input({"x_$_0": "a", "x_#_k": "b"})
    assert result["x"] == {"k": "b"}
    result = merge_execution_input({"x_#_k": "b", "x_$_1": "a"})
    assert result["x"] == [None, "a"]


def test_merge_single_item_and_delimiter_order():
    assert merge_execution_input({"single_item_$_0": "a"})["single_item"] == ["a"]
    assert merge_execution_input({"single_dict_#_only": 1})["single_dict"] == {"only": 1}
    result = merge_execution_input({"mixed_#_a_$_0_@_z": 9})
    assert isinstance(result["mixed"]["a"][0], PinObject)
    assert result["mixed"]["a"][0].z == 9


def test_merge_without_dynamic_keys_is_a_copy():
    data = {"a": 1, "b": [1]}
    result = merge_execution_input(data)
    assert result == data
    assert result is not data


# ------------------------------------------------------------ naming helpers


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("values_#_name", "values"),
        ("items_$_0", "items"),
        ("obj_@_attr", "obj"),
        ("result_$_0_#_key_$_1", "result"),
        ("tools_^_abc_~_query", "tools"),
        ("plain", "plain"),
    ],
)
def test_sanitize_pin_name(name, base):
    assert sanitize_pin_name(name) == base


def test_is_dynamic_pin():
    assert is_dynamic_pin("values_#_a")
    assert not is_dynamic_pin("values")


def test_pin_objects_serialize_as_json_objects():
    import json

    merged = merge_execution_input({"obj_@_name": "n", "obj_@_tags_$_0": "t"})
    assert json.dumps(merged["obj"]) == '{"name": "n", "tags": ["t"]}'
    assert merged["obj"] == PinObject(name="n", tags=["t"])


def test_pin_object_attributes_are_its_data_not_dict_methods():
    obj = PinObject(items=3)
    assert parse_execution_output(("o", obj), "o_@_items") == 3
    assert parse_execution_output(("o", obj), "o_@_keys") is None
    with pytest.raises(AttributeError):
        _ = PinObject().missing
