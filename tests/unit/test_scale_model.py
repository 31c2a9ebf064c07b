"""The scale-out model's arithmetic (bench/scale_model.py): costs add up, and the bottleneck is
the first resource to run out."""

from __future__ import annotations

import pytest
from bench.scale_model import Costs, Load, drain_rate_on_one_host, predict

COSTS = Costs(write=100e-6, db=60e-6, daemon=80e-6)  # seconds of CPU


def test_database_cores_grow_with_the_rate_not_with_the_daemons() -> None:
    few = predict(COSTS, Load(2, 1_000), db_cores=4)
    many = predict(COSTS, Load(8, 1_000), db_cores=4)
    assert few.db_cores == pytest.approx(1_000 * 160e-6)
    assert many.db_cores == few.db_cores
    assert many.daemon_cores_each == pytest.approx(few.daemon_cores_each / 4)
    assert many.max_events_per_second == pytest.approx(4 / 160e-6)
    assert many.bottleneck == "database CPU"


def test_one_daemon_is_bound_by_its_own_core() -> None:
    p = predict(COSTS, Load(1, 1_000), db_cores=8)
    assert p.bottleneck == "daemon CPU"
    assert p.max_events_per_second == pytest.approx(1 / 80e-6)


def test_slow_handlers_are_bound_by_slots_and_fanout_multiplies_the_work() -> None:
    p = predict(COSTS, Load(3, 10, fanout=2, handler_seconds=5, concurrency=2), db_cores=4)
    assert p.bottleneck == "handler slots"
    assert p.slots_used == pytest.approx(10 * 2 * 5 / 6)
    assert p.max_events_per_second == pytest.approx(6 / 10)
    assert p.db_cores == pytest.approx(10 * (100e-6 + 2 * 60e-6))


def test_a_shared_host_divides_its_free_cores() -> None:
    assert drain_rate_on_one_host(COSTS, 3, free_cores=0.5) == pytest.approx(0.5 / 140e-6)
    assert drain_rate_on_one_host(COSTS, 1, free_cores=8) == pytest.approx(1 / 80e-6)
