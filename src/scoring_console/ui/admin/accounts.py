"""The accounts page: every account, create one, reset a password, (de)activate."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scoring_console.protocol.roles import Role
from scoring_console.protocol.setup import Account, AccountCreate, AccountUpdate

from ..bridge import CoreBridge
from ..status_bar import ROLE_LABELS
from .page import AdminPage

_COLUMNS = ["Username", "Name", "Role", "Status"]


class AccountsPage(AdminPage):
    """Accounts as the server lists them; the organizer rule is the server's to enforce."""

    def __init__(self, bridge: CoreBridge, parent: QWidget | None = None) -> None:
        super().__init__(bridge, parent)
        self.accounts: list[Account] = []
        self.table = QTableWidget(0, len(_COLUMNS), self)
        self.table.setObjectName("accountsTable")
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.refresh = QPushButton("Refresh", self)
        self.reset = QPushButton("Reset password", self)
        self.deactivate = QPushButton("Deactivate", self)
        self.reactivate = QPushButton("Reactivate", self)
        self.username = QLineEdit(self)
        self.username.setObjectName("newUsername")
        self.name = QLineEdit(self)
        self.name.setObjectName("newName")
        self.role = QComboBox(self)
        for role in Role:
            self.role.addItem(ROLE_LABELS.get(str(role), str(role)), role)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("empty: a one-time password is generated")
        self.create_button = QPushButton("Create account", self)
        self.create_button.setObjectName("createAccount")
        self.update_button = QPushButton("Save name and role of the selected", self)
        self.update_button.setObjectName("updateAccount")
        buttons = QHBoxLayout()
        for button in (self.refresh, self.reset, self.deactivate, self.reactivate):
            buttons.addWidget(button)
        form = QFormLayout()
        form.addRow("Username", self.username)
        form.addRow("Name", self.name)
        form.addRow("Role", self.role)
        form.addRow("Password", self.password)
        form.addRow("", self.create_button)
        form.addRow("", self.update_button)
        # the list and its buttons on the left, the form on the right: the dock stays low
        listing = QVBoxLayout()
        listing.addWidget(self.table, 1)
        listing.addLayout(buttons)
        columns = QHBoxLayout()
        columns.addLayout(listing, 3)
        columns.addLayout(form, 2)
        column = QVBoxLayout(self)
        column.addLayout(columns, 1)
        column.addWidget(self.message)
        self.refresh.clicked.connect(self.on_refresh_clicked)
        self.create_button.clicked.connect(self.on_create_clicked)
        self.update_button.clicked.connect(self.on_update_clicked)
        self.table.currentCellChanged.connect(self.on_current_cell_changed)
        self.reset.clicked.connect(self.on_reset_clicked)
        self.deactivate.clicked.connect(lambda: self._set_active(False))
        self.reactivate.clicked.connect(lambda: self._set_active(True))

    @Slot()
    def on_refresh_clicked(self) -> None:
        """Load the account list from the server."""
        self.tasks.spawn(self._load(), "load accounts")

    async def _load(self) -> None:
        try:
            self.accounts = await self.admin.accounts()
        except Exception as exc:
            self.message.show_error(f"Loading the accounts failed: {exc}")
            return
        self.table.setRowCount(0)
        for account in self.accounts:
            row = self.table.rowCount()
            self.table.insertRow(row)
            status = "active" if account.active else "deactivated"
            if account.must_change_password:
                status += ", must change password"
            role = ROLE_LABELS.get(str(account.role), str(account.role))
            for column, text in enumerate((account.username, account.name, role, status)):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def after_call(self) -> None:
        """Reload the list."""
        self.on_refresh_clicked()

    def selected_account(self) -> Account | None:
        """The account of the selected row."""
        row = self.table.currentRow()
        return self.accounts[row] if 0 <= row < len(self.accounts) else None

    @Slot()
    def on_create_clicked(self) -> None:
        """Validate like the server, then ``account:create``; show a generated password."""
        payload = self.validated(
            AccountCreate,
            username=self.username.text().strip(),
            name=self.name.text().strip(),
            role=self.role.currentData(),
            password=self.password.text() or None,
        )
        if payload is None:
            return

        def done(secret: Any) -> str:
            self.username.clear()
            self.name.clear()
            self.password.clear()
            text = f"Account {secret.account.username} created."
            if secret.password:
                text += f" One-time password (shown only now): {secret.password}"
            return text

        self.run(
            f"Creating {payload.username}",
            lambda: self.admin.create_account(
                payload.username, payload.name, payload.role, payload.password
            ),
            done,
        )

    @Slot(int, int, int, int)
    def on_current_cell_changed(self, row: int, _column: int, _row: int, _col: int) -> None:
        """Show the selected account in the form (to rename it or change its role)."""
        if 0 <= row < len(self.accounts):
            account = self.accounts[row]
            self.username.setText(account.username)
            self.name.setText(account.name)
            self.role.setCurrentIndex(self.role.findData(account.role))
            self.password.clear()

    @Slot()
    def on_update_clicked(self) -> None:
        """``account:update``: the selected account gets the form's name and role."""
        account = self.selected_account()
        if account is None:
            self.message.show_error("Select the account to change first.")
            return
        payload = self.validated(
            AccountUpdate,
            userId=account.id,
            name=self.name.text().strip(),
            role=self.role.currentData(),
        )
        if payload is None:
            return
        self.run(
            f"Changing {account.username}",
            lambda: self.admin.update_account(account.id, payload.name, payload.role),
            lambda s: (
                f"{s.account.username}: {s.account.name}, "
                f"{ROLE_LABELS.get(str(s.account.role), str(s.account.role))}."
            ),
        )

    @Slot()
    def on_reset_clicked(self) -> None:
        """A new one-time password for the selected account."""
        account = self.selected_account()
        if account is not None:
            self.run(
                f"Resetting the password of {account.username}",
                lambda: self.admin.reset_password(account.id),
                lambda s: (
                    f"{account.username}: one-time password {s.password} "
                    "(shown only now; to be changed at the next login)"
                ),
            )

    def _set_active(self, active: bool) -> None:
        account = self.selected_account()
        if account is not None:
            verb = "Reactivating" if active else "Deactivating"
            self.run(
                f"{verb} {account.username}",
                lambda: self.admin.set_active(account.id, active),
                lambda s: (
                    f"{s.account.username} is {'active' if s.account.active else 'deactivated'}."
                ),
            )
