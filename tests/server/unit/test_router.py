"""The service router: every catalog route reaches an area method, areas are separate small
objects over one database, and the compatibility lookup finds each name on its area."""

from __future__ import annotations

import inspect

import pytest

from scoring_console.protocol import CLIENT_EVENTS, ClientEvent
from scoring_console.protocol.payloads import Heartbeat
from scoring_console.server.service import ScoringService
from scoring_console.server.service.base import ServiceBase
from tests.server.unit.conftest import Demo


def test_every_route_names_a_method_of_an_area(demo: Demo) -> None:
    service = demo.service
    for event, spec in CLIENT_EVENTS.items():
        area, _, method = spec.route.partition(".")
        if area == "transport":
            continue
        handler = getattr(service.areas[area], method)
        assert list(inspect.signature(handler).parameters)[:2] == ["actor", "payload"], event


def test_areas_are_separate_objects_over_one_database(demo: Demo) -> None:
    service = demo.service
    areas = [a for name, a in service.areas.items() if name != "core"]
    assert len({id(a) for a in areas}) == len(areas) == 16
    for area in areas:
        assert getattr(area, "db", None) is service.db or getattr(area, "service", None) is service
    # small objects: no area is the old 71-method class again
    for area in areas:
        own = [
            name
            for name, member in inspect.getmembers(type(area), inspect.isfunction)
            if not hasattr(ServiceBase, name)
        ]
        assert len(own) <= 20, (type(area).__name__, own)
    router_methods = [n for n, _ in inspect.getmembers(ScoringService, inspect.isfunction)]
    assert sorted(n for n in router_methods if not n.startswith("__")) == [
        "competition_import",
        "dispatch",
        "sync",
    ]


def test_presence_state_lives_in_the_presence_area_only(demo: Demo) -> None:
    judge = demo.actor("judge1")
    demo.service.presence.set_online(judge, True)
    assert demo.service.presence.is_online(judge.user_id)
    assert not hasattr(demo.service.scores, "_connections")
    beat = demo.service.dispatch(judge, ClientEvent.USER_ACTIVE, Heartbeat(pending_count=1))
    assert beat.result.seq >= 1


def test_compatibility_lookup_resolves_names_on_their_area(demo: Demo) -> None:
    service = demo.service
    assert service.submit_score.__self__ is service.scores
    assert service.snapshot.__self__ is service.views
    assert service.get_user.__self__ is service.accounts
    with pytest.raises(AttributeError, match="no area with 'no_such_method'"):
        service.no_such_method  # noqa: B018
