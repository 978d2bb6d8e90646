"""``convert()``: the coercion rules of upstream's type_test (spec §6.3, §8.16)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Union  # noqa: UP035 - typing aliases are inputs too

import pytest

from agentplatform.engine.convert import ConversionError, convert, type_matches


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        # int
        (5, int, 5),
        ("5", int, 5),
        ("5.5", int, 5),
        (5.5, int, 5),
        ([1, 2, 3], int, 3),
        ({"a": 1}, int, 1),
        ("None", int, 0),
        ("abc", int, 0),
        (None, int, 0),
        ([], int, 0),
        # float
        (5, float, 5.0),
        ("5.5", float, 5.5),
        ([1, 2], float, 2.0),
        ("x", float, 0.0),
        # bool
        (True, bool, True),
        ("True", bool, True),
        ("true", bool, True),
        ("1", bool, True),
        ("False", bool, False),
        ("yes", bool, False),
        ("", bool, False),
        (1, bool, True),
        (0, bool, False),
        ([1], bool, True),
        ([], bool, False),
        # str
        ("hello", str, "hello"),
        (5, str, "5"),
        (5.5, str, "5.5"),
        (True, str, "true"),
        ([1, 2, 3], str, "[1, 2, 3]"),
        ({"a": 1, "b": 2}, str, '{"a": 1, "b": 2}'),
        ([], str, "[]"),
        # list
        ([1, 2, 3], list, [1, 2, 3]),
        ((1, 2, 3), list, [1, 2, 3]),
        ({"a": 1, "b": 2}, list, [("a", 1), ("b", 2)]),
        ("5", list, ["5"]),
        ("[1, 2]", list, [1, 2]),
        ("[not json", list, ["[not json"]),
        (5, list, [5]),
        # dict
        ({"a": 1}, dict, {"a": 1}),
        ("5", dict, {"value": 5}),
        ('{"a": 1}', dict, {"a": 1}),
        ("plain text", dict, {"value": "plain text"}),
        ([1, 2, 3], dict, {0: 1, 1: 2, 2: 3}),
        ((1, 2), dict, {0: 1, 1: 2}),
        (5, dict, {"value": 5}),
        # tuple / set
        ([1, 2], tuple, (1, 2)),
        ("5", tuple, ("5",)),
        ([1, 1, 2], set, {1, 2}),
        # generics
        ("[5,4,2]", List[int], [5, 4, 2]),  # noqa: UP006
        ("[5,4,2]", list[int], [5, 4, 2]),
        (["1", "2"], list[int], [1, 2]),
        ([1, 2], list[str], ["1", "2"]),
        ({"a": "1"}, dict[str, int], {"a": 1}),
        ({"a": "1"}, Dict[str, float], {"a": 1.0}),  # noqa: UP006
        ("5", dict[str, int], {"value": 5}),
        (["1", "2"], tuple[int, ...], (1, 2)),
        (["1", "x"], tuple[int, str], (1, "x")),
        # unions and Any
        (None, Optional[int], None),  # noqa: UP045
        ("5", Optional[int], 5),  # noqa: UP045
        ("5", int | None, 5),
        (5, Union[str, int], 5),  # noqa: UP007
        ("5", Union[int, str], "5"),  # noqa: UP007
        ([1], Union[int, float], 1),  # noqa: UP007
        ({"a": 1}, Any, {"a": 1}),
    ],
)
def test_convert(value, target, expected):
    result = convert(value, target)
    assert result == expected
    assert type(result) is type(expected)


def test_convert_leaves_unconvertible_targets_to_validation():
    class Model:
        pass

    value = {"a": 1}
    assert convert(value, Model) is value


def test_convert_dumps_pydantic_models_first():
    from pydantic import BaseModel

    class Point(BaseModel):
        x: int

    assert convert(Point(x=1), dict) == {"x": 1}
    assert convert(Point(x=1), str) == '{"x": 1}'


def test_convert_unserializable_value_to_str_falls_back_to_str():
    class Thing:
        def __str__(self) -> str:
            return "thing"

    assert convert(Thing(), str) == "thing"


def test_convert_raises_conversion_error_on_broken_input():
    with pytest.raises(ConversionError, match="Failed to convert"):
        convert([[1], [2]], set)  # lists are unhashable


def test_type_matches():
    assert type_matches(5, int)
    assert not type_matches("5", int)
    assert type_matches(None, Optional[int])  # noqa: UP045
    assert type_matches([1], list[int])
    assert type_matches("x", Any)
