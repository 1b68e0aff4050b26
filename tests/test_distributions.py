"""Search-space distributions: validation, membership, unit-cube mapping, JSON."""

from __future__ import annotations

import math

import numpy as np
import pytest

from paretune.distributions import CategoricalDistribution
from paretune.distributions import FloatDistribution
from paretune.distributions import IntDistribution
from paretune.distributions import distribution_from_json
from paretune.distributions import distribution_to_json
from paretune.exceptions import InvalidDistributionError


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"low": 2.0, "high": 1.0}, "low <= high"),
        ({"low": 0.0, "high": 1.0, "log": True}, "low > 0"),
        ({"low": -1.0, "high": 1.0, "log": True}, "low > 0"),
        ({"low": 0.0, "high": 1.0, "step": 0.0}, "positive"),
        ({"low": 1.0, "high": 2.0, "log": True, "step": 0.1}, "cannot be combined"),
        ({"low": float("nan"), "high": 1.0}, "finite"),
        ({"low": 0.0, "high": float("inf")}, "finite"),
    ],
)
def test_float_distribution_rejects_bad_ranges(kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidDistributionError, match=message):
        FloatDistribution(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"low": 5, "high": 1}, "low <= high"),
        ({"low": 0, "high": 8, "log": True}, "low >= 1"),
        ({"low": 1, "high": 8, "step": 0}, "step"),
        ({"low": 1.5, "high": 8}, "integer"),
        ({"low": 1, "high": 8, "log": True, "step": 2}, "cannot be combined"),
    ],
)
def test_int_distribution_rejects_bad_ranges(kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidDistributionError, match=message):
        IntDistribution(**kwargs)


@pytest.mark.parametrize("choices", [(), ("a", "a"), (object(),), (float("nan"),), "abc"])
def test_categorical_distribution_rejects_bad_choices(choices: object) -> None:
    with pytest.raises(InvalidDistributionError):
        CategoricalDistribution(choices)  # type: ignore[arg-type]


def test_step_trims_high_to_the_lattice() -> None:
    assert FloatDistribution(0.0, 1.0, step=0.3).high == pytest.approx(0.9)
    assert IntDistribution(0, 10, step=3).high == 9


@pytest.mark.parametrize(
    "dist",
    [
        FloatDistribution(-2.0, 3.0),
        FloatDistribution(1e-4, 1e-1, log=True),
        FloatDistribution(0.0, 1.0, step=0.25),
        IntDistribution(2, 12),
        IntDistribution(8, 256, log=True),
        IntDistribution(0, 100, step=5),
        CategoricalDistribution(("hgb", "logreg", None, 3, 2.5, True)),
        FloatDistribution(1.0, 1.0),
        IntDistribution(4, 4),
    ],
)
def test_from_unit_always_lands_inside(dist: object) -> None:
    grid = np.linspace(0.0, 1.0, 101)
    for u in [*grid, -0.5, 1.5]:
        value = dist.from_unit(u)  # type: ignore[attr-defined]
        assert dist.contains(value), (dist, u, value)  # type: ignore[attr-defined]
        back = dist.to_unit(value)  # type: ignore[attr-defined]
        assert 0.0 <= back <= 1.0
        assert dist.from_unit(back) == value  # type: ignore[attr-defined]


def test_int_cells_are_equal_sized() -> None:
    dist = IntDistribution(0, 3)
    values = [dist.from_unit(u) for u in np.linspace(0, 1, 4001)[:-1]]
    counts = np.bincount(values)
    assert counts.min() == counts.max() == 1000


def test_log_float_is_uniform_in_the_log() -> None:
    dist = FloatDistribution(1e-4, 1.0, log=True)
    assert dist.from_unit(0.5) == pytest.approx(1e-2)
    assert dist.to_unit(1e-3) == pytest.approx(0.25)


def test_categorical_is_type_aware() -> None:
    dist = CategoricalDistribution((1, True, "1"))
    assert dist.index(True) == 1
    assert dist.index(1) == 0
    assert not dist.contains(1.5)


def test_contains() -> None:
    assert FloatDistribution(0.0, 1.0, step=0.25).contains(0.75)
    assert not FloatDistribution(0.0, 1.0, step=0.25).contains(0.7)
    assert not FloatDistribution(0.0, 1.0).contains(math.nan)
    assert not FloatDistribution(0.0, 1.0).contains(True)
    assert IntDistribution(0, 10, step=5).contains(5)
    assert not IntDistribution(0, 10, step=5).contains(4)
    assert not IntDistribution(0, 10).contains(2.5)


@pytest.mark.parametrize(
    "dist",
    [
        FloatDistribution(0.5, 3.0, step=0.5),
        FloatDistribution(1e-3, 1.0, log=True),
        IntDistribution(1, 64, log=True),
        CategoricalDistribution(("a", 1, None, False)),
    ],
)
def test_json_round_trip(dist: object) -> None:
    import json

    data = json.loads(json.dumps(distribution_to_json(dist)))  # type: ignore[arg-type]
    assert distribution_from_json(data) == dist


def test_unknown_json_type_is_refused() -> None:
    with pytest.raises(InvalidDistributionError, match="Unknown distribution type"):
        distribution_from_json({"type": "beta"})
