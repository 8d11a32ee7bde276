"""The delivery seam's frames: what python-socketio would have sent, encoded once."""

from __future__ import annotations

import json

from engineio import packet as eio_packet
from socketio import packet as sio_packet

from scoring_console.server.wire import EventFrames


def decoded(frame: eio_packet.Packet) -> list[object]:
    """The Socket.IO EVENT inside an Engine.IO MESSAGE, as a client decodes it."""
    text = frame.encode()
    assert isinstance(text, str) and text.startswith("42"), text
    pkt = sio_packet.Packet(encoded_packet=text[1:])
    assert pkt.packet_type == sio_packet.EVENT and pkt.namespace in (None, "/")
    return list(pkt.data)


def test_a_frame_decodes_to_the_event_with_this_sockets_prev_seq() -> None:
    data = {"seq": 42, "prevSeq": 7, "name": 'Ana \u00e9 "quoted" }', "n": [1, {"a": None}]}
    frames = EventFrames("scores:updated", data)
    assert decoded(frames.packet(41)) == ["scores:updated", {**data, "prevSeq": 41}]
    assert decoded(frames.packet(None)) == ["scores:updated", {**data, "prevSeq": None}]
    # the same bytes python-socketio would put on the wire, up to key order
    reference = sio_packet.Packet(
        sio_packet.EVENT, data=["scores:updated", {**data, "prevSeq": 41}]
    )
    assert json.loads(reference.encode()[1:]) == json.loads(frames.packet(41).encode()[2:])


def test_one_packet_per_prev_seq_shared_by_every_socket() -> None:
    frames = EventFrames("notification", {"seq": 3})
    first = frames.packet(2)
    assert frames.packet(2) is first
    assert frames.packet(1) is not first
    assert frames.distinct == 2
    assert decoded(frames.packet(1)) == ["notification", {"seq": 3, "prevSeq": 1}]


def test_an_empty_payload_still_gets_its_prev_seq() -> None:
    assert decoded(EventFrames("x", {}).packet(5)) == ["x", {"prevSeq": 5}]
