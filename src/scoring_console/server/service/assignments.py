"""Assignments of judges and tally masters to categories, with live room moves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from scoring_console.protocol.audit import AuditAction, AuditEntity
from scoring_console.protocol.entities import Assignment, NotificationType
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.payloads import AssignmentChange, AssignmentRevoked
from scoring_console.protocol.roles import ASSIGNABLE_ROLES, Role

from ..db import Connection, Database, IntegrityError, inserted_id
from ..db import rows as r
from . import certstate, rooms
from .base import ServiceBase, role_label, utc_now
from .types import (
    Actor,
    Broadcast,
    Conflict,
    Effect,
    Forbidden,
    Invalid,
    Locked,
    NotFound,
    Outcome,
    RoomChange,
)
from .views import ViewsArea

_MANAGER_ROLES = frozenset({Role.ORGANIZER, Role.ADMIN})


class AssignmentsArea(ServiceBase):
    """Creating and removing assignments (organizers and admins)."""

    def __init__(
        self,
        db: Database,
        views: ViewsArea,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(db, clock=clock)
        self.views = views
        """The views area: an assignment moves the user between its rooms."""

    def create_assignment(self, actor: Actor, payload: AssignmentChange) -> Outcome[Assignment]:
        """``assignment:created``: assign a judge or tally master to a category.

        ``Forbidden`` unless organizer/admin; ``NotFound`` for an unknown (or inactive)
        user or category; ``Invalid`` if the user is not a JUDGE or TALLY_MASTER;
        ``Conflict`` if already assigned; ``Locked`` when the contest is locked (a
        locked contest's panel is frozen like its scores), and for a judge when the
        category's certification is past the judges' step (the panel that signed is
        final: a late judge would add scores nobody certifies). The assignment's role
        is the user's role.
        Effects: ``assignment:new`` to ``user:{id}``, ``role:ORGANIZER``, ``role:ADMIN``;
        a persisted ``notification`` to the user; a :class:`RoomChange` joining the
        user's live sockets to the category's rooms.
        """
        self._require_manager(actor)
        with self.db.transaction() as conn:
            target, role = self._assignable_user(conn, payload.user_id)
            info = self._category(conn, payload.category_id)
            self._require_unlocked(info)
            if role is Role.JUDGE:
                self._require_judges_step_open(conn, info.id)
            before = self.views._rooms(conn, target)
            seq = self.db.next_seq(conn)
            # read before the INSERT: on PostgreSQL a failed statement ends the transaction
            user_name = self._user_name(conn, payload.user_id)
            try:
                cursor = conn.execute(
                    "INSERT INTO assignments (user_id, category_id, role, created_at, seq) "
                    "VALUES (?, ?, ?, ?, ?) RETURNING id",
                    (payload.user_id, info.id, role.value, r.to_iso(self.clock()), seq),
                )
            except IntegrityError as exc:
                raise Conflict(
                    f"{user_name} is already assigned to {info.label}",
                    {"userId": payload.user_id, "categoryId": info.id},
                ) from exc
            row = conn.execute(
                "SELECT a.*, u.name AS user_name FROM assignments a "
                "JOIN users u ON u.id = a.user_id WHERE a.id = ?",
                (inserted_id(cursor),),
            ).fetchone()
            assignment = r.assignment(row)
            self._audit(
                conn,
                actor,
                AuditAction.ASSIGNMENT_CREATED,
                AuditEntity.ASSIGNMENT,
                assignment.id,
                f"{self._user_name(conn, payload.user_id)} as {role_label(role)} in {info.name}",
                new={"userId": payload.user_id, "categoryId": info.id, "role": role.value},
                category_id=info.id,
                contest_id=info.contest_id,
                subject_user_id=payload.user_id,
            )
            after = self.views._rooms(conn, target)
            note = self._notify(
                conn,
                payload.user_id,
                type=NotificationType.INFO,
                title="New assignment",
                message=f"You were assigned to {info.label} as {role_label(role)}",
                category_id=info.id,
            )
            effects: list[Effect] = [
                RoomChange(payload.user_id, join=tuple(sorted(after - before))),
                Broadcast(
                    ServerEvent.ASSIGNMENT_NEW, assignment, self._assignment_rooms(payload.user_id)
                ),
                note,
                *self._judges_changed(conn, info.id, role),
            ]
        return Outcome(assignment, effects)

    def remove_assignment(self, actor: Actor, payload: AssignmentChange) -> Outcome[Assignment]:
        """``assignment:removed``: remove an assignment; returns the removed assignment.

        ``Forbidden`` unless organizer/admin; ``NotFound`` if there is no such
        assignment. Effects: ``assignment:revoked`` to ``user:{id}``,
        ``role:ORGANIZER``, ``role:ADMIN``; a persisted ``notification``; a
        :class:`RoomChange` taking the user's live sockets out of rooms they no longer
        belong to. Scores already given stay. ``Locked`` when the contest is locked, and
        for a judge when the certification is past the judges' step (the signed panel
        is final).
        """
        self._require_manager(actor)
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT a.*, u.role AS user_role, u.name AS user_name FROM assignments a "
                "JOIN users u ON u.id = a.user_id WHERE a.user_id = ? AND a.category_id = ?",
                (payload.user_id, payload.category_id),
            ).fetchone()
            if row is None:
                label = self._category(conn, payload.category_id).label
                raise NotFound(
                    f"{self._user_name(conn, payload.user_id)} is not assigned to {label}",
                    {"userId": payload.user_id, "categoryId": payload.category_id},
                )
            info = self._category(conn, payload.category_id)
            self._require_unlocked(info)
            if row["role"] == Role.JUDGE.value:
                self._require_judges_step_open(conn, info.id)
                if self._judge_signed(conn, payload.user_id, info.id):
                    who = self._user_name(conn, payload.user_id)
                    raise Locked(
                        f"judge {who} has signed {info.name}; the judge cannot be removed",
                        {"userId": payload.user_id, "categoryId": info.id},
                    )
            target = Actor(payload.user_id, Role(row["user_role"]), "")
            before = self.views._rooms(conn, target)
            seq = self.db.next_seq(conn)
            conn.execute("DELETE FROM assignments WHERE id = ?", (row["id"],))
            after = self.views._rooms(conn, target)
            assignment = r.assignment(row).model_copy(update={"seq": seq})
            self._audit(
                conn,
                actor,
                AuditAction.ASSIGNMENT_REMOVED,
                AuditEntity.ASSIGNMENT,
                assignment.id,
                f"{self._user_name(conn, payload.user_id)} as "
                f"{role_label(Role(row['role']))} in {info.name}",
                old={"userId": payload.user_id, "categoryId": info.id, "role": row["role"]},
                category_id=info.id,
                contest_id=info.contest_id,
                subject_user_id=payload.user_id,
            )
            note = self._notify(
                conn,
                payload.user_id,
                type=NotificationType.WARNING,
                title="Assignment removed",
                message=f"You are no longer assigned to {info.label}",
                category_id=info.id,
            )
            certification = self._judges_changed(conn, info.id, Role(row["role"]))
        revoked = AssignmentRevoked(
            user_id=payload.user_id, category_id=info.id, role=row["role"], seq=seq
        )
        effects: list[Effect] = [
            Broadcast(
                ServerEvent.ASSIGNMENT_REVOKED, revoked, self._assignment_rooms(payload.user_id)
            ),
            note,
            *certification,
            RoomChange(payload.user_id, leave=tuple(sorted(before - after))),
        ]
        return Outcome(assignment, effects)

    # --- helpers --------------------------------------------------------------------

    def _require_manager(self, actor: Actor) -> None:
        if actor.role not in _MANAGER_ROLES:
            raise Forbidden(f"{actor.role.value} cannot change assignments")

    def _assignable_user(self, conn: Connection, user_id: int) -> tuple[Actor, Role]:
        row = conn.execute(
            "SELECT id, username, role FROM users WHERE id = ? AND active = 1", (user_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"user {user_id} not found", {"userId": user_id})
        role = Role(row["role"])
        if role not in ASSIGNABLE_ROLES:
            raise Invalid(
                f"only judges and tally masters can be assigned, not {role.value}",
                {"userId": user_id, "role": role.value},
            )
        return Actor(row["id"], role, row["username"]), role

    def _judges_changed(self, conn: Connection, category_id: int, role: Role) -> list[Broadcast]:
        """A judge joined or left: the category's required signers changed."""
        if role is not Role.JUDGE:
            return []
        state = certstate.touch(conn, category_id, self.db.next_seq(conn), self.clock())
        return [
            Broadcast(ServerEvent.CERTIFICATION_UPDATED, state, rooms.category_viewers(category_id))
        ]

    @staticmethod
    def _assignment_rooms(user_id: int) -> tuple[str, ...]:
        return (rooms.user(user_id), rooms.role(Role.ORGANIZER), rooms.role(Role.ADMIN))
