"""Dictionary and list blocks: build, look up, change and test collections."""

from __future__ import annotations

# ``builtins.list``: several schemas have a field named ``list``, which shadows the
# builtin inside the class body where pydantic evaluates annotations.
import builtins
import contextlib
import json
from typing import Any

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)
from agentplatform.engine.pins import PinObject

# ---------------------------------------------------------------- dictionaries


class CreateDictionaryBlock(Block):
    class Input(BlockSchemaInput):
        values: dict[str, Any] = SchemaField(
            description="Key-value pairs to create the dictionary with",
            placeholder="e.g., {'name': 'Alice', 'age': 25}",
        )

    class Output(BlockSchemaOutput):
        dictionary: dict[str, Any] = SchemaField(
            description="The created dictionary containing the specified key-value pairs"
        )
        error: str = SchemaField(description="Error message if dictionary creation failed")

    def __init__(self) -> None:
        super().__init__(
            id="b924ddf4-de4f-4b56-9a85-358930dcbc91",
            description=(
                "Creates a dictionary with the specified key-value pairs. Use this when you know all "
                "the values you want to add upfront."
            ),
            categories={BlockCategory.DATA},
            input_schema=CreateDictionaryBlock.Input,
            output_schema=CreateDictionaryBlock.Output,
            test_input=[
                {"values": {"name": "Alice", "age": 25, "city": "New York"}},
                {"values": {"numbers": [1, 2, 3], "active": True, "score": 95.5}},
            ],
            test_output=[
                ("dictionary", {"name": "Alice", "age": 25, "city": "New York"}),
                ("dictionary", {"numbers": [1, 2, 3], "active": True, "score": 95.5}),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        yield "dictionary", input_data.values


class AddToDictionaryBlock(Block):
    class Input(BlockSchemaInput):
        dictionary: dict[Any, Any] = SchemaField(
            default_factory=dict,
            description=(
                "The dictionary to add the entry to. If not provided, a new dictionary will be created."
            ),
        )
        key: str = SchemaField(
            default="", description="The key for the new entry.", placeholder="new_key", advanced=False
        )
        value: Any = SchemaField(
            default=None, description="The value for the new entry.", placeholder="new_value", advanced=False
        )
        entries: dict[Any, Any] = SchemaField(
            default_factory=dict,
            description=(
                "The entries to add to the dictionary. This is the batch version of the `key` and "
                "`value` fields."
            ),
            advanced=True,
        )

    class Output(BlockSchemaOutput):
        updated_dictionary: dict = SchemaField(description="The dictionary with the new entry added.")

    def __init__(self) -> None:
        super().__init__(
            id="31d1064e-7446-4693-a7d4-65e5ca1180d1",
            description=(
                "Adds a new key-value pair to a dictionary. If no dictionary is provided, a new one "
                "is created."
            ),
            categories={BlockCategory.BASIC},
            input_schema=AddToDictionaryBlock.Input,
            output_schema=AddToDictionaryBlock.Output,
            test_input=[
                {"dictionary": {"existing_key": "existing_value"}, "key": "new_key", "value": "new_value"},
                {"key": "first_key", "value": "first_value"},
                {
                    "dictionary": {"existing_key": "existing_value"},
                    "entries": {"new_key": "new_value", "first_key": "first_value"},
                },
            ],
            test_output=[
                ("updated_dictionary", {"existing_key": "existing_value", "new_key": "new_value"}),
                ("updated_dictionary", {"first_key": "first_value"}),
                (
                    "updated_dictionary",
                    {"existing_key": "existing_value", "new_key": "new_value", "first_key": "first_value"},
                ),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        updated = dict(input_data.dictionary)
        if input_data.value is not None and input_data.key:
            updated[input_data.key] = input_data.value
        updated.update(input_data.entries)
        yield "updated_dictionary", updated


_NOT_FOUND = object()


def _lookup(container: Any, key: str | int) -> Any:
    """The value at ``key`` in a dict, list or object, or ``_NOT_FOUND``."""
    if isinstance(container, dict) and key in container:
        return container[key]
    if isinstance(container, list):
        if isinstance(key, int):
            return container[key] if -len(container) <= key < len(container) else _NOT_FOUND
        if not container:
            return []
        if isinstance(container[0], dict) and key in container[0]:
            return [item[key] for item in container if isinstance(item, dict) and key in item]
        return [getattr(item, key) for item in container if hasattr(item, key)] or _NOT_FOUND
    if isinstance(key, str) and not isinstance(container, dict | list | str) and hasattr(container, key):
        return getattr(container, key)
    return _NOT_FOUND


class FindInDictionaryBlock(Block):
    class Input(BlockSchemaInput):
        input: Any = SchemaField(description="Dictionary to lookup from")
        key: str | int = SchemaField(description="Key to lookup in the dictionary")

    class Output(BlockSchemaOutput):
        output: Any = SchemaField(description="Value found for the given key")
        missing: Any = SchemaField(description="Value of the input that missing the key")

    def __init__(self) -> None:
        super().__init__(
            id="0e50422c-6dee-4145-83d6-3a5a392f65de",
            description=(
                "A block that looks up a value in a dictionary, list, or object by key or index and "
                "returns the corresponding value."
            ),
            categories={BlockCategory.BASIC},
            input_schema=FindInDictionaryBlock.Input,
            output_schema=FindInDictionaryBlock.Output,
            test_input=[
                {"input": {"apple": 1, "banana": 2, "cherry": 3}, "key": "banana"},
                {"input": {"x": 10, "y": 20, "z": 30}, "key": "w"},
                {"input": [1, 2, 3], "key": 1},
                {"input": [1, 2, 3], "key": 3},
                # Upstream uses a MockObject here; a PinObject (what ``_@_`` pins build)
                # is the same kind of attribute-bearing object.
                {"input": PinObject(value="!!", key="key"), "key": "key"},
                {"input": [{"k1": "v1"}, {"k2": "v2"}, {"k1": "v3"}], "key": "k1"},
            ],
            test_output=[
                ("output", 2),
                ("missing", {"x": 10, "y": 20, "z": 30}),
                ("output", 2),
                ("missing", [1, 2, 3]),
                ("output", "key"),
                ("output", ["v1", "v3"]),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        container = input_data.input
        if isinstance(container, str):
            with contextlib.suppress(ValueError):
                container = json.loads(container)
        found = _lookup(container, input_data.key)
        if found is _NOT_FOUND:
            yield "missing", input_data.input
        else:
            yield "output", found


class RemoveFromDictionaryBlock(Block):
    class Input(BlockSchemaInput):
        dictionary: dict[Any, Any] = SchemaField(description="The dictionary to modify.")
        key: str | int = SchemaField(description="Key to remove from the dictionary.")
        return_value: bool = SchemaField(default=False, description="Whether to output the removed value.")

    class Output(BlockSchemaOutput):
        updated_dictionary: dict[Any, Any] = SchemaField(description="The dictionary after removal.")
        removed_value: Any = SchemaField(description="The removed value if requested.")

    def __init__(self) -> None:
        super().__init__(
            id="46afe2ea-c613-43f8-95ff-6692c3ef6876",
            description="Removes a key-value pair from a dictionary.",
            categories={BlockCategory.BASIC},
            input_schema=RemoveFromDictionaryBlock.Input,
            output_schema=RemoveFromDictionaryBlock.Output,
            test_input=[
                {"dictionary": {"a": 1, "b": 2, "c": 3}, "key": "b", "return_value": True},
                {"dictionary": {"x": "hello", "y": "world"}, "key": "x"},
            ],
            test_output=[
                ("updated_dictionary", {"a": 1, "c": 3}),
                ("removed_value", 2),
                ("updated_dictionary", {"y": "world"}),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        updated = dict(input_data.dictionary)
        if input_data.key not in updated:
            yield "error", f"Key '{input_data.key}' not found in dictionary"
            return
        removed = updated.pop(input_data.key)
        yield "updated_dictionary", updated
        if input_data.return_value:
            yield "removed_value", removed


class ReplaceDictionaryValueBlock(Block):
    class Input(BlockSchemaInput):
        dictionary: dict[Any, Any] = SchemaField(description="The dictionary to modify.")
        key: str | int = SchemaField(description="Key to replace the value for.")
        value: Any = SchemaField(description="The new value for the given key.")

    class Output(BlockSchemaOutput):
        updated_dictionary: dict[Any, Any] = SchemaField(description="The dictionary after replacement.")
        old_value: Any = SchemaField(description="The value that was replaced.")

    def __init__(self) -> None:
        super().__init__(
            id="27e31876-18b6-44f3-ab97-f6226d8b3889",
            description="Replaces the value for a specified key in a dictionary.",
            categories={BlockCategory.BASIC},
            input_schema=ReplaceDictionaryValueBlock.Input,
            output_schema=ReplaceDictionaryValueBlock.Output,
            test_input=[
                {"dictionary": {"a": 1, "b": 2, "c": 3}, "key": "b", "value": 99},
                {"dictionary": {"x": "hello", "y": "world"}, "key": "y", "value": "universe"},
            ],
            test_output=[
                ("updated_dictionary", {"a": 1, "b": 99, "c": 3}),
                ("old_value", 2),
                ("updated_dictionary", {"x": "hello", "y": "universe"}),
                ("old_value", "world"),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        updated = dict(input_data.dictionary)
        if input_data.key not in updated:
            yield "error", f"Key '{input_data.key}' not found in dictionary"
            return
        old_value = updated[input_data.key]
        updated[input_data.key] = input_data.value
        yield "updated_dictionary", updated
        yield "old_value", old_value


class DictionaryIsEmptyBlock(Block):
    class Input(BlockSchemaInput):
        dictionary: dict[Any, Any] = SchemaField(description="The dictionary to check.")

    class Output(BlockSchemaOutput):
        is_empty: bool = SchemaField(description="True if the dictionary is empty.")

    def __init__(self) -> None:
        super().__init__(
            id="a3cf3f64-6bb9-4cc6-9900-608a0b3359b0",
            description="Checks if a dictionary is empty.",
            categories={BlockCategory.BASIC},
            input_schema=DictionaryIsEmptyBlock.Input,
            output_schema=DictionaryIsEmptyBlock.Output,
            test_input=[{"dictionary": {}}, {"dictionary": {"a": 1}}],
            test_output=[("is_empty", True), ("is_empty", False)],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        yield "is_empty", len(input_data.dictionary) == 0


# ---------------------------------------------------------------- lists


def estimate_tokens(value: Any) -> int:
    """A cheap token estimate (about four characters per token of the JSON form)."""
    try:
        text = value if isinstance(value, str) else json.dumps(value, default=str)
    except (TypeError, ValueError):
        text = str(value)
    return max(1, (len(text) + 3) // 4)


class CreateListBlock(Block):
    class Input(BlockSchemaInput):
        values: list[Any] = SchemaField(
            description="A list of values to be combined into a new list.",
            placeholder="e.g., ['Alice', 25, True]",
        )
        max_size: int | None = SchemaField(
            default=None,
            description=(
                "Maximum size of the list. If provided, the list will be yielded in chunks of this size."
            ),
            advanced=True,
        )
        max_tokens: int | None = SchemaField(
            default=None,
            description=(
                "Maximum tokens for the list. If provided, the list will be yielded in chunks that "
                "fit within this token limit."
            ),
            advanced=True,
        )

    class Output(BlockSchemaOutput):
        list: builtins.list[Any] = SchemaField(
            description="The created list containing the specified values."
        )

    def __init__(self) -> None:
        super().__init__(
            id="a912d5c7-6e00-4542-b2a9-8034136930e4",
            description=(
                "Creates a list with the specified values. Use this when you know all the values you "
                "want to add upfront. This block can also yield the list in batches based on a "
                "maximum size or token limit."
            ),
            categories={BlockCategory.DATA},
            input_schema=CreateListBlock.Input,
            output_schema=CreateListBlock.Output,
            test_input=[
                {"values": ["Alice", 25, True]},
                {"values": [1, 2, 3, "four", {"key": "value"}]},
            ],
            test_output=[
                ("list", ["Alice", 25, True]),
                ("list", [1, 2, 3, "four", {"key": "value"}]),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        max_size = input_data.max_size or len(input_data.values) or 1
        max_tokens = input_data.max_tokens
        chunk: list[Any] = []
        chunk_tokens = 0
        for value in input_data.values:
            tokens = estimate_tokens(value) if max_tokens else 0
            too_long = len(chunk) + 1 > max_size
            too_big = bool(max_tokens) and chunk_tokens + tokens > (max_tokens or 0)
            if chunk and (too_long or too_big):
                yield "list", chunk
                chunk, chunk_tokens = [], 0
            chunk.append(value)
            chunk_tokens += tokens
        if chunk or not input_data.values:
            yield "list", chunk


class AddToListBlock(Block):
    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(
            default_factory=list,
            advanced=False,
            description="The list to add the entry to. If not provided, a new list will be created.",
        )
        entry: Any = SchemaField(
            description="The entry to add to the list. Can be of any type (string, int, dict, etc.).",
            advanced=False,
            default=None,
        )
        entries: builtins.list[Any] = SchemaField(
            default_factory=lambda: list(),
            description="The entries to add to the list. This is the batch version of the `entry` field.",
            advanced=True,
        )
        position: int | None = SchemaField(
            default=None,
            description=(
                "The position to insert the new entry. If not provided, the entry will be appended to "
                "the end of the list."
            ),
        )

    class Output(BlockSchemaOutput):
        updated_list: list[Any] = SchemaField(description="The list with the new entry added.")

    def __init__(self) -> None:
        super().__init__(
            id="aeb08fc1-2fc1-4141-bc8e-f758f183a822",
            description=(
                "Adds a new entry to a list. The entry can be of any type. If no list is provided, a "
                "new one is created."
            ),
            categories={BlockCategory.BASIC},
            input_schema=AddToListBlock.Input,
            output_schema=AddToListBlock.Output,
            test_input=[
                {
                    "list": [1, "string", {"existing_key": "existing_value"}],
                    "entry": {"new_key": "new_value"},
                    "position": 1,
                },
                {"entry": "first_entry"},
                {"list": ["a", "b", "c"], "entry": "d"},
                {"entry": "e", "entries": ["f", "g"], "list": ["a", "b"], "position": 1},
            ],
            test_output=[
                ("updated_list", [1, {"new_key": "new_value"}, "string", {"existing_key": "existing_value"}]),
                ("updated_list", ["first_entry"]),
                ("updated_list", ["a", "b", "c", "d"]),
                ("updated_list", ["a", "f", "g", "e", "b"]),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        added = list(input_data.entries) + ([input_data.entry] if input_data.entry else [])
        updated = list(input_data.list)
        if input_data.position is None:
            updated.extend(added)
        else:
            updated[input_data.position : input_data.position] = added
        yield "updated_list", updated


class FindInListBlock(Block):
    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to search in.")
        value: Any = SchemaField(description="The value to search for.")

    class Output(BlockSchemaOutput):
        index: int = SchemaField(description="The index of the value in the list.")
        found: bool = SchemaField(description="Whether the value was found in the list.")
        not_found_value: Any = SchemaField(description="The value that was not found in the list.")

    def __init__(self) -> None:
        super().__init__(
            id="5e2c6d0a-1e37-489f-b1d0-8e1812b23333",
            description="Finds the index of the value in the list.",
            categories={BlockCategory.BASIC},
            input_schema=FindInListBlock.Input,
            output_schema=FindInListBlock.Output,
            test_input=[
                {"list": [1, 2, 3, 4, 5], "value": 3},
                {"list": [1, 2, 3, 4, 5], "value": 6},
            ],
            test_output=[("index", 2), ("found", True), ("found", False), ("not_found_value", 6)],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        try:
            index = input_data.list.index(input_data.value)
        except ValueError:
            yield "found", False
            yield "not_found_value", input_data.value
            return
        yield "index", index
        yield "found", True


class GetListItemBlock(Block):
    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to get the item from.")
        index: int = SchemaField(description="The 0-based index of the item (supports negative indices).")

    class Output(BlockSchemaOutput):
        item: Any = SchemaField(description="The item at the specified index.")

    def __init__(self) -> None:
        super().__init__(
            id="262ca24c-1025-43cf-a578-534e23234e97",
            description="Returns the element at the given index.",
            categories={BlockCategory.BASIC},
            input_schema=GetListItemBlock.Input,
            output_schema=GetListItemBlock.Output,
            test_input=[{"list": [1, 2, 3], "index": 1}, {"list": [1, 2, 3], "index": -1}],
            test_output=[("item", 2), ("item", 3)],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        try:
            yield "item", input_data.list[input_data.index]
        except IndexError:
            yield "error", "Index out of range"


class RemoveFromListBlock(Block):
    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to modify.")
        value: Any = SchemaField(default=None, description="Value to remove from the list.")
        index: int | None = SchemaField(
            default=None, description="Index of the item to pop (supports negative indices)."
        )
        return_item: bool = SchemaField(default=False, description="Whether to return the removed item.")

    class Output(BlockSchemaOutput):
        updated_list: list[Any] = SchemaField(description="The list after removal.")
        removed_item: Any = SchemaField(description="The removed item if requested.")

    def __init__(self) -> None:
        super().__init__(
            id="d93c5a93-ac7e-41c1-ae5c-ef67e6e9b826",
            description="Removes an item from a list by value or index.",
            categories={BlockCategory.BASIC},
            input_schema=RemoveFromListBlock.Input,
            output_schema=RemoveFromListBlock.Output,
            test_input=[
                {"list": [1, 2, 3], "index": 1, "return_item": True},
                {"list": ["a", "b", "c"], "value": "b"},
            ],
            test_output=[
                ("updated_list", [1, 3]),
                ("removed_item", 2),
                ("updated_list", ["a", "c"]),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        updated = list(input_data.list)
        try:
            if input_data.index is not None:
                removed = updated.pop(input_data.index)
            elif input_data.value is not None:
                updated.remove(input_data.value)
                removed = input_data.value
            else:
                raise ValueError("No index or value provided for removal")
        except (IndexError, ValueError):
            yield "error", "Index or value not found"
            return
        yield "updated_list", updated
        if input_data.return_item:
            yield "removed_item", removed


class ReplaceListItemBlock(Block):
    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to modify.")
        index: int = SchemaField(description="Index of the item to replace (supports negative indices).")
        value: Any = SchemaField(description="The new value for the given index.")

    class Output(BlockSchemaOutput):
        updated_list: list[Any] = SchemaField(description="The list after replacement.")
        old_item: Any = SchemaField(description="The item that was replaced.")

    def __init__(self) -> None:
        super().__init__(
            id="fbf62922-bea1-4a3d-8bac-23587f810b38",
            description="Replaces an item at the specified index.",
            categories={BlockCategory.BASIC},
            input_schema=ReplaceListItemBlock.Input,
            output_schema=ReplaceListItemBlock.Output,
            test_input=[
                {"list": [1, 2, 3], "index": 1, "value": 99},
                {"list": ["a", "b"], "index": -1, "value": "c"},
            ],
            test_output=[
                ("updated_list", [1, 99, 3]),
                ("old_item", 2),
                ("updated_list", ["a", "c"]),
                ("old_item", "b"),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        updated = list(input_data.list)
        try:
            old_item = updated[input_data.index]
        except IndexError:
            yield "error", "Index out of range"
            return
        updated[input_data.index] = input_data.value
        yield "updated_list", updated
        yield "old_item", old_item


class ListIsEmptyBlock(Block):
    class Input(BlockSchemaInput):
        list: builtins.list[Any] = SchemaField(description="The list to check.")

    class Output(BlockSchemaOutput):
        is_empty: bool = SchemaField(description="True if the list is empty.")

    def __init__(self) -> None:
        super().__init__(
            id="896ed73b-27d0-41be-813c-c1c1dc856c03",
            description="Checks if a list is empty.",
            categories={BlockCategory.BASIC},
            input_schema=ListIsEmptyBlock.Input,
            output_schema=ListIsEmptyBlock.Output,
            test_input=[{"list": []}, {"list": [1]}],
            test_output=[("is_empty", True), ("is_empty", False)],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        yield "is_empty", len(input_data.list) == 0


class ConcatenateListsBlock(Block):
    class Input(BlockSchemaInput):
        lists: list[list[Any]] = SchemaField(
            description=(
                "A list of lists to concatenate together. All lists will be combined in order into a "
                "single list."
            ),
            placeholder="e.g., [[1, 2], [3, 4], [5, 6]]",
        )

    class Output(BlockSchemaOutput):
        concatenated_list: list[Any] = SchemaField(
            description="The concatenated list containing all elements from all input lists in order."
        )
        error: str = SchemaField(
            description="Error message if concatenation failed due to invalid input types."
        )

    def __init__(self) -> None:
        super().__init__(
            id="3cf9298b-5817-4141-9d80-7c2cc5199c8e",
            description=(
                "Concatenates multiple lists into a single list. All elements from all input lists "
                "are combined in order."
            ),
            categories={BlockCategory.BASIC},
            input_schema=ConcatenateListsBlock.Input,
            output_schema=ConcatenateListsBlock.Output,
            test_input=[
                {"lists": [[1, 2, 3], [4, 5, 6]]},
                {"lists": [["a", "b"], ["c"], ["d", "e", "f"]]},
                {"lists": [[1, 2], []]},
                {"lists": []},
            ],
            test_output=[
                ("concatenated_list", [1, 2, 3, 4, 5, 6]),
                ("concatenated_list", ["a", "b", "c", "d", "e", "f"]),
                ("concatenated_list", [1, 2]),
                ("concatenated_list", []),
            ],
        )

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        combined: list[Any] = []
        for index, item in enumerate(input_data.lists):
            if item is None:
                continue
            if not isinstance(item, list):
                yield (
                    "error",
                    f"Invalid input at index {index}: expected a list, got {type(item).__name__}. "
                    "All items in 'lists' must be lists (e.g., [[1, 2], [3, 4]]).",
                )
                return
            combined.extend(item)
        yield "concatenated_list", combined
