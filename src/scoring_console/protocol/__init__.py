"""The wire contract shared by the server and the clients: names, models, errors, rules.

Pure Python and pydantic; imports nothing from the server, the client or Qt.
"""

from .ack import ack_error, ack_ok, parse_ack
from .catalog import CLIENT_EVENTS, SERVER_EVENTS, ClientEventSpec, ServerEventSpec
from .errors import (
    AUTH_INVALID_MESSAGE,
    AUTH_MISSING_MESSAGE,
    INVALID_EVENT_MESSAGE,
    PERMANENT_ERRORS,
    RETRYABLE_ERRORS,
    AckFailed,
    ErrorCode,
    PayloadError,
    ProtocolError,
)
from .events import ClientEvent, ServerEvent
from .roles import Role
from .version import PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS

__all__ = [
    "AUTH_INVALID_MESSAGE",
    "AUTH_MISSING_MESSAGE",
    "CLIENT_EVENTS",
    "INVALID_EVENT_MESSAGE",
    "PERMANENT_ERRORS",
    "PROTOCOL_VERSION",
    "RETRYABLE_ERRORS",
    "SERVER_EVENTS",
    "SUPPORTED_PROTOCOL_VERSIONS",
    "AckFailed",
    "ClientEvent",
    "ClientEventSpec",
    "ErrorCode",
    "PayloadError",
    "ProtocolError",
    "Role",
    "ServerEvent",
    "ServerEventSpec",
    "ack_error",
    "ack_ok",
    "parse_ack",
]
