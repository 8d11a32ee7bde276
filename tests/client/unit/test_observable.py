"""Observable: ordered callbacks, unsubscribe, failures logged and not propagated."""

from __future__ import annotations

import logging

import pytest

from scoring_console.client.observable import Observable


def test_emit_calls_in_order_and_unsubscribe() -> None:
    obs: Observable[int] = Observable("t")
    seen: list[tuple[str, int]] = []
    stop_a = obs.connect(lambda v: seen.append(("a", v)))
    obs.connect(lambda v: seen.append(("b", v)))
    obs.emit(1)
    stop_a()
    stop_a()  # twice is harmless
    obs.emit(2)
    assert seen == [("a", 1), ("b", 1), ("b", 2)]
    assert len(obs) == 1


def test_failing_callback_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    obs: Observable[int] = Observable("t")
    seen: list[int] = []

    def boom(_: int) -> None:
        raise ValueError("bad")

    obs.connect(boom)
    obs.connect(seen.append)
    with caplog.at_level(logging.ERROR):
        obs.emit(3)
    assert seen == [3]
    assert "failed" in caplog.text
