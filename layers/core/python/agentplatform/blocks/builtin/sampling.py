"""Sampling rows out of a data set (random, systematic, stratified, weighted, ...).

The stratified vector depends on the exact order of RNG calls, so the algorithm keeps
upstream's: strata in first-seen order, proportional sizes (at least 1 each) adjusted
one at a time on the largest stratum, then one ``sample`` call per stratum.
"""

from __future__ import annotations

import enum
import random
from collections import defaultdict
from typing import Any

from agentplatform.blocks import (
    Block,
    BlockCategory,
    BlockOutput,
    BlockSchemaInput,
    BlockSchemaOutput,
    SchemaField,
)


class SamplingMethod(enum.StrEnum):
    RANDOM = "random"
    SYSTEMATIC = "systematic"
    TOP = "top"
    BOTTOM = "bottom"
    STRATIFIED = "stratified"
    WEIGHTED = "weighted"
    RESERVOIR = "reservoir"
    CLUSTER = "cluster"


def _field(item: Any, key: str, purpose: str) -> Any:
    if isinstance(item, dict):
        value = item.get(key)
    elif hasattr(item, key):
        value = getattr(item, key)
    else:
        raise ValueError(f"{purpose} key '{key}' not found in item {item}")
    if value is None:
        raise ValueError(f"{purpose} value for key '{key}' is None")
    return value


def _group_indices(data: list[Any], key: str, purpose: str) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(data):
        groups[str(_field(item, key, purpose))].append(index)
    return groups


def _stratified(rng: random.Random, data: list[Any], key: str | None, size: int) -> list[int]:
    if not key:
        raise ValueError("Stratify key must be provided for stratified sampling.")
    strata = _group_indices(data, key, "Stratify")
    sizes = {name: max(1, int(len(members) / len(data) * size)) for name, members in strata.items()}
    while (total := sum(sizes.values())) != size:
        largest = max(sizes, key=lambda name: sizes[name])
        sizes[largest] += 1 if total < size else -1
    picked: list[int] = []
    for name, count in sizes.items():
        picked.extend(rng.sample(strata[name], count))
    return picked


def _weighted(rng: random.Random, data: list[Any], key: str | None, size: int) -> list[int]:
    if not key:
        raise ValueError("Weight key must be provided for weighted sampling.")
    try:
        weights = [float(_field(item, key, "Weight")) for item in data]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Invalid weight: {exc}") from exc
    if all(weight == 0 for weight in weights):
        raise ValueError("All weights are zero.")
    return rng.choices(range(len(data)), weights=weights, k=size)


def _reservoir(rng: random.Random, data_size: int, size: int) -> list[int]:
    reservoir = list(range(size))
    for index in range(size, data_size):
        slot = rng.randint(0, index)
        if slot < size:
            reservoir[slot] = index
    return reservoir


def _cluster(rng: random.Random, data: list[Any], key: str | None, size: int) -> list[int]:
    if not key:
        raise ValueError("Cluster key must be provided for cluster sampling.")
    clusters = _group_indices(data, key, "Cluster")
    chosen: list[str] = []
    while sum(len(clusters[name]) for name in chosen) < size:
        remaining = [name for name in clusters if name not in chosen]
        if not remaining:
            break
        chosen.append(rng.choice(remaining))
    picked = [index for name in chosen for index in clusters[name]]
    return rng.sample(picked, size) if len(picked) > size else picked


def sample_indices(
    rng: random.Random,
    data: list[Any],
    size: int,
    method: SamplingMethod,
    *,
    stratify_key: str | None = None,
    weight_key: str | None = None,
    cluster_key: str | None = None,
) -> list[int]:
    data_size = len(data)
    if size > data_size:
        raise ValueError(f"Sample size ({size}) cannot be larger than the dataset size ({data_size}).")
    if method == SamplingMethod.RANDOM:
        return rng.sample(range(data_size), size)
    if method == SamplingMethod.SYSTEMATIC:
        step = max(1, data_size // size) if size else 1
        start = rng.randint(0, step - 1)
        return list(range(start, data_size, step))[:size]
    if method == SamplingMethod.TOP:
        return list(range(size))
    if method == SamplingMethod.BOTTOM:
        return list(range(data_size - size, data_size))
    if method == SamplingMethod.STRATIFIED:
        return _stratified(rng, data, stratify_key, size)
    if method == SamplingMethod.WEIGHTED:
        return _weighted(rng, data, weight_key, size)
    if method == SamplingMethod.RESERVOIR:
        return _reservoir(rng, data_size, size)
    if method == SamplingMethod.CLUSTER:
        return _cluster(rng, data, cluster_key, size)
    raise ValueError(f"Unknown sampling method: {method}")


class DataSamplingBlock(Block):
    class Input(BlockSchemaInput):
        data: dict[str, Any] | list[dict | list[Any]] = SchemaField(
            description=(
                "The dataset to sample from. Can be a single dictionary, a list of dictionaries, or a "
                "list of lists."
            ),
            placeholder="{'id': 1, 'value': 'a'} or [{'id': 1, 'value': 'a'}, {'id': 2, 'value': 'b'}, ...]",
        )
        sample_size: int = SchemaField(
            description="The number of samples to take from the dataset.", placeholder="10", default=10
        )
        sampling_method: SamplingMethod = SchemaField(
            description="The method to use for sampling.", default=SamplingMethod.RANDOM
        )
        accumulate: bool = SchemaField(
            description="Whether to accumulate data before sampling.", default=False
        )
        random_seed: int | None = SchemaField(
            description="Seed for random number generator (optional).", default=None
        )
        stratify_key: str | None = SchemaField(
            description="Key to use for stratified sampling (required for stratified sampling).", default=None
        )
        weight_key: str | None = SchemaField(
            description="Key to use for weighted sampling (required for weighted sampling).", default=None
        )
        cluster_key: str | None = SchemaField(
            description="Key to use for cluster sampling (required for cluster sampling).", default=None
        )

    class Output(BlockSchemaOutput):
        sampled_data: list[dict | list[Any]] = SchemaField(
            description="The sampled subset of the input data."
        )
        sample_indices: list[int] = SchemaField(
            description="The indices of the sampled data in the original dataset."
        )

    def __init__(self) -> None:
        super().__init__(
            id="4a448883-71fa-49cf-91cf-70d793bd7d87",
            description="This block samples data from a given dataset using various sampling methods.",
            categories={BlockCategory.LOGIC},
            input_schema=DataSamplingBlock.Input,
            output_schema=DataSamplingBlock.Output,
            test_input={
                "data": [{"id": i, "value": chr(97 + i), "group": i % 3} for i in range(10)],
                "sample_size": 3,
                "sampling_method": SamplingMethod.STRATIFIED,
                "accumulate": False,
                "random_seed": 42,
                "stratify_key": "group",
            },
            test_output=[
                (
                    "sampled_data",
                    [
                        {"id": 0, "value": "a", "group": 0},
                        {"id": 1, "value": "b", "group": 1},
                        {"id": 8, "value": "i", "group": 2},
                    ],
                ),
                ("sample_indices", [0, 1, 8]),
            ],
        )
        # Upstream keeps accumulated rows on the block instance; in Lambda that means
        # per warm container, which is what ``accumulate`` can promise here too.
        self.accumulated_data: list[Any] = []

    async def run(self, input_data: Input, **kwargs: Any) -> BlockOutput:
        incoming = input_data.data if isinstance(input_data.data, list) else [input_data.data]
        if input_data.accumulate:
            self.accumulated_data.extend(incoming)
            if len(self.accumulated_data) < input_data.sample_size:
                return
            data = self.accumulated_data
        else:
            data = incoming
        rng = random.Random(input_data.random_seed)
        indices = sample_indices(
            rng,
            data,
            input_data.sample_size,
            SamplingMethod(input_data.sampling_method),
            stratify_key=input_data.stratify_key,
            weight_key=input_data.weight_key,
            cluster_key=input_data.cluster_key,
        )
        sampled = [data[index] for index in indices]
        if input_data.accumulate:
            self.accumulated_data = []
        yield "sampled_data", sampled
        yield "sample_indices", indices
