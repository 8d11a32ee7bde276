"""The console session controller: login → main window → clean shutdown.

:class:`ConsoleApp` opens a session (stored refresh token, ``SCORING_PASSWORD``, or the
login dialog), starts the core, shows the main window and, when the window closes,
stops the core (flush, disconnect) before the asyncio loop is allowed to end.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from keyring.backend import KeyringBackend

from scoring_console import paths
from scoring_console.client.core import ClientCore
from scoring_console.client.errors import (
    InvalidCredentials,
    PasswordChangeRequired,
    ServerUnreachable,
    SessionExpired,
)
from scoring_console.client.keyring_choice import keyring_usable
from scoring_console.client.servers import ServerListError, parse_servers

from .bridge import CoreBridge
from .login_dialog import LoginDialog, LoginRequest
from .main_window import MainWindow, ask_quit_with_pending
from .new_password_dialog import NewPasswordDialog
from .options import Options
from .settings import UserSettings, WindowState
from .tasks import TaskSet

if TYPE_CHECKING:
    from scoring_console.protocol.entities import UserInfo

log = logging.getLogger(__name__)

FILLED_TIMEOUT = 60.0
WRITE_TIMEOUT = 5.0
"""Seconds shutdown waits for durable writes the window started (typed scores)."""


class ConsoleApp:
    """Controller of one console session: login → main window → clean shutdown."""

    def __init__(
        self,
        options: Options,
        password: str | None = None,
        keyring_backend: KeyringBackend | None = None,
    ) -> None:
        self.options = options
        self.password = password
        self.keyring_backend = keyring_backend
        self.settings_dir = paths.settings_dir(options.data_dir)
        self.settings = UserSettings.load(self.settings_dir)
        if options.server:
            self.settings.server_url = options.server
        if options.username:
            self.settings.username = options.username
        self.core: ClientCore | None = None
        self.bridge: CoreBridge | None = None
        self.window: MainWindow | None = None
        self.dialog: LoginDialog | None = None
        self.dialog_new_password: NewPasswordDialog | None = None
        """The "choose a new password" dialog while it is open (after a reset)."""
        self.tasks = TaskSet()
        self.exit_code = 0
        self._closed: asyncio.Future[None] | None = None
        self.notice: str | None = None

    # -- session ----------------------------------------------------------------------

    def _make_core(self, server_url: str, username: str) -> ClientCore:
        return ClientCore(
            server_url,
            username,
            data_dir=self.options.data_dir,
            keyring_backend=self.keyring_backend,
            password=self.password,  # the core logs in again by itself with it
        )

    async def open_session(self) -> ClientCore | None:
        """A logged-in (or offline-opened) core, or ``None`` when the user gave up."""
        url, username = self.settings.server_url, self.settings.username
        try:
            parse_servers(url)
        except ServerListError as exc:
            self.notice = str(exc)  # the dialog shows it with the address to correct
            username = ""
        if username:
            core = self._make_core(url, username)
            user: UserInfo | None = None
            try:
                user = await core.resume()
            except ServerUnreachable as exc:
                # the stored token stays in memory: work from the cache, reconnect later
                if self.options.screenshot is None and core.open_offline():
                    self.notice = f"The server is not reachable ({exc}); working offline."
                    return core
                self.notice = f"{unreachable(url)}."
            except SessionExpired:
                self.notice = "Your session has expired: please log in again."
            except Exception as exc:
                log.warning("silent login failed: %s", exc)
            if user is not None:
                return core
            if self.password:
                try:
                    await core.login(self.password, remember=self.settings.remember_me)
                    return core
                except PasswordChangeRequired:
                    self.notice = (
                        f"The password of {username} was reset by an administrator: log in "
                        "with it to choose a new one."
                    )
                except InvalidCredentials:
                    self.notice = "Wrong user name or password."
                except ServerUnreachable as exc:
                    if self.options.screenshot is None and core.open_offline():
                        self.notice = f"The server is not reachable ({exc}); working offline."
                        return core
                    self.notice = f"{unreachable(url)}."
            await core.stop()
        if self.options.screenshot is not None:
            log.error("--screenshot needs a session: %s", self.notice or "no password given")
            return None
        return await self._login_interactively()

    async def _login_interactively(self) -> ClientCore | None:
        dialog = LoginDialog(
            self.settings.server_url,
            self.settings.username,
            self.settings.remember_me,
            remember_possible=keyring_usable(self.keyring_backend),
        )
        self.dialog = dialog
        if self.notice:
            dialog.show_error(self.notice)
        try:
            while True:
                request = await dialog.next_request()
                if request is None:
                    return None
                core = await self._try_login(dialog, request)
                if core is not None:
                    self.settings.server_url = request.server_url
                    self.settings.username = request.username
                    self.settings.remember_me = request.remember
                    self.settings.save()
                    return core
        finally:
            dialog.hide()
            dialog.deleteLater()
            self.dialog = None

    async def _try_login(self, dialog: LoginDialog, request: LoginRequest) -> ClientCore | None:
        try:
            core = self._make_core(request.server_url, request.username)
        except ServerListError as exc:
            dialog.show_error(str(exc))
            return None
        if request.offline:
            if core.open_offline():
                return core
            await core.stop()
            dialog.show_error("There is no saved copy for this user on this computer.")
            return None
        error: str
        cached = False
        try:
            await core.login(request.password, remember=request.remember)
        except PasswordChangeRequired as exc:
            return await self._choose_new_password(dialog, request, core, str(exc))
        except InvalidCredentials:
            error = "Wrong user name or password."
        except ServerUnreachable:
            cached = core.open_offline()
            if cached:
                return await self._offer_offline(dialog, request, core)
            error = f"{unreachable(request.server_url)}. Check the address and the network."
        except Exception as exc:
            log.exception("login failed")
            error = f"Login failed: {exc}"
        else:
            if request.remember and not core.keyring_available:
                self.notice = (
                    "No keyring is available on this computer: your login is kept only "
                    "for this session."
                )
            return core
        await core.stop()  # before the form is usable again
        dialog.show_error(error)
        return None

    async def _choose_new_password(
        self, dialog: LoginDialog, request: LoginRequest, core: ClientCore, reason: str
    ) -> ClientCore | None:
        """The password was reset: ask for a new one and log in with it."""
        ask = NewPasswordDialog(request.username, reason, request.password, dialog)
        self.dialog_new_password = ask
        try:
            new_password = await ask.ask()
            if new_password is None:
                error = (
                    "Your password was not changed, so you are not logged in. Log in again "
                    "to choose a new one."
                )
            else:
                try:
                    await core.login(
                        request.password, remember=request.remember, new_password=new_password
                    )
                    return core
                except InvalidCredentials as exc:
                    error = f"The new password was not accepted: {exc}"
                except ServerUnreachable:
                    error = (
                        f"{unreachable(request.server_url)}: your password was not changed. "
                        "Try again when it is back."
                    )
                except Exception as exc:
                    log.exception("login with a new password failed")
                    error = f"Login failed: {exc}"
        finally:
            ask.deleteLater()
            self.dialog_new_password = None
        await core.stop()
        dialog.show_error(error)
        return None

    async def _offer_offline(
        self, dialog: LoginDialog, request: LoginRequest, core: ClientCore
    ) -> ClientCore | None:
        """The server is unreachable but a cached copy exists: offer to open it."""
        dialog.show_error(
            f"{unreachable(request.server_url)}. Check the address and the network, or open "
            "the copy saved on this computer.",
            offline_available=True,
        )
        choice = await dialog.next_request()
        if choice is not None and choice.offline and choice.username == request.username:
            self.notice = "Working offline from the saved copy; reconnecting in the background."
            return core  # already holds the cached snapshot
        await core.stop()
        if choice is None:
            dialog.reject()
            return None
        return await self._try_login(dialog, choice)

    # -- run --------------------------------------------------------------------------

    async def run(self) -> int:
        """The whole session; returns the process exit status."""
        self._closed = asyncio.get_running_loop().create_future()
        core = await self.open_session()
        if core is None:
            return 0 if self.options.screenshot is None else 3
        self.core = core
        self.bridge = CoreBridge(core)
        window = MainWindow(self.bridge, self.settings, WindowState(self.settings_dir))
        self.window = window
        window.quit_guard = ask_quit_with_pending
        window.close_requested.connect(self.on_window_close_requested)
        if self.options.size is not None:
            window.resize(*self.options.size)
        window.show()
        if self.notice:
            window.status.showMessage(self.notice, 15000)
        self.tasks.spawn(core.start(), "core.start")
        self.tasks.spawn(self._report_ready(core), "ready")
        if self.options.screenshot is not None:
            self.tasks.spawn(self.take_screenshot(self.options.screenshot), "screenshot")
        await self._closed
        await self.shutdown()
        return self.exit_code

    async def _report_ready(self, core: ClientCore) -> None:
        """Log once connected and synced (tests and scripts wait for this line)."""
        if await core.wait_connected(None):
            log.info("console ready: %s connected to %s", core.username, core.current_server)

    def on_window_close_requested(self) -> None:
        """The main window closed: end the session."""
        if self._closed is not None and not self._closed.done():
            self._closed.set_result(None)

    def request_quit(self) -> None:
        """Close the window (Ctrl+C, SIGTERM) — the same path as the user closing it."""
        if self.dialog is not None:
            self.dialog.reject()
        if self.window is not None:
            self.window.quit_guard = None  # a signal to quit is not a question
            self.window.close()
        elif self._closed is not None and not self._closed.done():
            self._closed.set_result(None)

    async def take_screenshot(self, path: Path) -> None:
        """Wait for the filled window, save a PNG of it, then close."""
        window = self.window
        assert window is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FILLED_TIMEOUT
        while not window.is_filled():
            if loop.time() > deadline:
                log.error("the window did not fill within %.0f s", FILLED_TIMEOUT)
                self.exit_code = 2
                window.close()
                return
            await asyncio.sleep(0.1)
        await asyncio.sleep(self.options.screenshot_delay)
        pixmap = window.grab()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not pixmap.save(str(path), "PNG"):
            log.error("could not write %s", path)
            self.exit_code = 2
        window.close()

    async def shutdown(self) -> None:
        """Stop everything this session started, in order."""
        await self.tasks.cancel_all()
        if self.window is not None:
            # writes to the outbox the window started (e.g. an editor committed by the
            # close itself) complete first: cancelling them would drop typed scores
            loop = asyncio.get_running_loop()
            deadline = loop.time() + WRITE_TIMEOUT
            for tasks in self.window.task_sets():
                await tasks.finish(max(0.0, deadline - loop.time()))
        if self.core is not None:
            try:
                await self.core.stop(flush_timeout=3.0)
            except Exception:
                log.exception("stopping the client core failed")
        if self.bridge is not None:
            self.bridge.close()
        log.info("session closed: outbox flushed as far as possible, disconnected")


def unreachable(servers: str) -> str:
    """The sentence for an unreachable server, or for a list none of whose servers answer."""
    try:
        ring = parse_servers(servers)
    except ServerListError:
        return f"The server at {servers} cannot be reached"
    if not ring.several:
        return f"The server at {ring.primary} cannot be reached"
    return f"None of the servers ({ring.text()}) can be reached"
