"""The server list: one parser for the console, its settings and ``scoring-cli``; the ring
that says which node is in use and which is tried next; the profile a list belongs to."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring_console.client.connection import ConnectionState, ConnectionStatus
from scoring_console.client.core import profile_url
from scoring_console.client.failover import ServerRing
from scoring_console.client.servers import ServerList, ServerListError, parse_servers
from scoring_console.store.local import LocalStore

A, B, C = "http://score1.venue:8765", "http://score2.venue:8765", "https://score3.venue"


@pytest.mark.parametrize(
    "given",
    [
        f"{A},{B}, {C}",
        f"{A} {B}\t{C}",
        [A, f"{B},{C}"],
        [f" {A}/ ", f"{B}/", C],
    ],
)
def test_commas_spaces_and_repeats_make_one_list(given: str | list[str]) -> None:
    servers = parse_servers(given)
    assert servers.urls == (A, B, C)
    assert servers.primary == A and servers.several
    assert servers.text() == f"{A}, {B}, {C}"
    assert parse_servers(servers.text()) == servers


def test_a_single_url_is_a_list_of_one() -> None:
    servers = parse_servers("http://127.0.0.1:8765/")
    assert servers.urls == ("http://127.0.0.1:8765",) and not servers.several


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("", "Enter the address of at least one server, e.g. http://scoring-server:8765."),
        (" , ", "Enter the address of at least one server"),
        ([], "Enter the address of at least one server"),
        ("score1.venue:8765", "“score1.venue:8765” is not a server address: it starts with"),
        ("ftp://score1.venue", "“ftp://score1.venue” is not a server address"),
        ("http://", "“http://” names no server after http://"),
        ("http://score1:99999", "“http://score1:99999” has no valid port"),
        ("http://score1:port", "“http://score1:port” has no valid port"),
        ("http://score1:8765/api", "give only http(s)://, the server's name and its port"),
        ("http://user@score1:8765", "give only http(s)://"),
        (f"{A}, {B}, {A}/", f"The server {A} is listed twice; list each server once."),
        ("http://Score1.Venue:80, http://score1.venue", "is listed twice"),
    ],
)
def test_bad_lists_are_refused_in_the_users_words(given: str | list[str], said: str) -> None:
    with pytest.raises(ServerListError) as refused:
        parse_servers(given)
    assert said in str(refused.value)


def test_an_empty_server_list_cannot_be_built() -> None:
    with pytest.raises(ServerListError):
        ServerList(())


def test_the_ring_moves_past_a_failed_node_and_stays_where_it_landed() -> None:
    ring = ServerRing(parse_servers([A, B, C]))
    assert ring.current == A and ring.candidates() == [A, B, C]
    ring.skip(A)
    assert ring.current == B and ring.candidates() == [B, C, A]
    ring.skip(A)  # a late report about a node already left behind changes nothing
    assert ring.current == B
    ring.skip(B)
    ring.skip(C)
    assert ring.current == A, "after the last node, the first one again"
    ring.settle(C)
    assert ring.current == C and ring.label() == "score3.venue"
    assert ring.describe() == f"{A}, {B} and {C}"
    assert ring.profile_url == A, "the profile does not follow the node in use"


def test_a_ring_of_one_never_moves() -> None:
    ring = ServerRing("http://127.0.0.1:8765")
    ring.skip("http://127.0.0.1:8765")
    assert ring.current == ring.profile_url == "http://127.0.0.1:8765"
    assert ring.describe() == "http://127.0.0.1:8765"


def test_the_profile_is_the_first_url_unless_another_one_of_the_list_has_one(
    tmp_path: Path,
) -> None:
    servers = parse_servers([A, B])
    assert profile_url(servers, "judge1", tmp_path) == A
    LocalStore.for_profile(B, "judge1", tmp_path).close()  # used with B alone before
    assert profile_url(servers, "judge1", tmp_path) == B
    assert profile_url(servers, "judge2", tmp_path) == A, "per user"


def test_connected_state_names_the_node() -> None:
    state = ConnectionState(ConnectionStatus.CONNECTED, server=B)
    assert state.describe() == "connected to score2.venue:8765"
    assert ConnectionState(ConnectionStatus.CONNECTED).describe() == "connected"
