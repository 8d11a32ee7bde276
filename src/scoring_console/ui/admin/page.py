"""What every Competition page shares: the admin client, background calls and the inline
message line that shows the server's refusal (or what changed)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from scoring_console.client.admin import AdminClient
from scoring_console.protocol import AckFailed, ErrorCode
from scoring_console.protocol.competition import validation_problems

from ..bridge import CoreBridge
from ..notifications.failures import describe_failure
from ..tasks import TaskSet

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

ERROR_STYLE = "color: #b3261e;"
INFO_STYLE = "color: #1b5e20;"


class MessageLine(QLabel):
    """One line under an editor: the last refusal (red) or result (green)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.is_error = False

    def show_error(self, text: str) -> None:
        """Show why something was refused."""
        self.is_error = True
        self.setStyleSheet(ERROR_STYLE)
        self.setText(text)

    def show_info(self, text: str) -> None:
        """Show what was done."""
        self.is_error = False
        self.setStyleSheet(INFO_STYLE)
        self.setText(text)


class AdminPage(QWidget):
    """Base of the workspace pages.

    Signals:
        call_finished(bool): a server call of this page ended (ok or refused).
    """

    call_finished = Signal(bool)

    def __init__(self, bridge: CoreBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.admin = AdminClient(bridge.core)
        self.tasks = TaskSet()
        self.message = MessageLine(self)
        self.message.setObjectName("message")

    @property
    def state(self) -> Any:
        """The client state (what the last sync showed)."""
        return self.bridge.core.state

    def validated(self, model: type[M], **fields: Any) -> M | None:
        """``model`` built from ``fields`` as the server would validate it; on a problem the
        message line lists it (``criteria[1].maxScore: must be > 0``) and ``None``."""
        try:
            return model.model_validate(fields)
        except ValidationError as exc:
            self.message.show_error("Not sent: " + "; ".join(validation_problems(exc)))
            return None

    def run(
        self,
        action: str,
        call: Callable[[], Awaitable[Any]],
        done: Callable[[Any], str] | None = None,
    ) -> None:
        """Run a server call in the background; show its refusal or ``done(result)``."""
        self.message.show_info(f"{action}…")
        self.tasks.spawn(self._run(action, call, done), action)

    async def _run(
        self, action: str, call: Callable[[], Awaitable[Any]], done: Callable[[Any], str] | None
    ) -> None:
        try:
            result = await call()
        except Exception as exc:
            log.info("%s refused: %s", action, exc)
            self.message.show_error(refusal_text(action, exc))
            self.call_finished.emit(False)
            return
        try:
            text = done(result) if done else f"{action}: done."
        except Exception:  # the call succeeded: say so even if its summary cannot be built
            log.exception("%s: describing the result failed", action)
            text = f"{action}: done."
        self.message.show_info(text)
        self.call_finished.emit(True)
        self.after_call()

    def after_call(self) -> None:
        """Refresh what the page shows after a successful call (pages override it)."""


#: Refusals whose generic hint still helps an office; for the others (conflict, locked,
#: not found, validation) the server's sentence already says what blocks the change, and
#: a generic hint ("the contest is locked" for a judge who signed) would mislead.
_HINTED = frozenset(
    {
        ErrorCode.FORBIDDEN,
        ErrorCode.RATE_LIMITED,
        ErrorCode.UNAUTHENTICATED,
        ErrorCode.INVALID_EVENT,
        ErrorCode.INTERNAL,
    }
)


def refusal_text(action: str, exc: BaseException) -> str:
    """``"<action> refused: <the server's reason>."`` — no error code, no guessed hint."""
    if isinstance(exc, AckFailed) and exc.code not in _HINTED and exc.message:
        reason = exc.message.rstrip(".")
        return f"{action} refused: {reason[:1].upper()}{reason[1:]}."
    return describe_failure(action, exc)


def changes_text(changes: list[str]) -> str:
    """What a set-up write changed, for the message line."""
    if not changes:
        return "Nothing to change."
    return "Saved: " + "; ".join(changes[:6]) + (" …" if len(changes) > 6 else "")
