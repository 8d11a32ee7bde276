"""Bot judges for demos: steady score traffic through the real service and delivery.

``--simulate`` adds the bot judges ``bot-judge1``..``bot-judge5`` to the demo world
(:func:`~.demo_data.seed_bots`; the human ``judge1``..``judge5`` stay untouched) and
makes them fill their sheets at a steady rate (round
robin over the judges), then keep revising random cells, so a tally console shows live
traffic. Bots go through :class:`ScoringService` and :class:`Deliverer` exactly like
a socket would; only the transport's rate limit is skipped. Each bot counts as one
live connection and sends a heartbeat every few seconds, so tally consoles show the
bots online with a fresh "last seen", like judges on real devices.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from dataclasses import dataclass, field

from scoring_console.protocol.entities import Snapshot
from scoring_console.protocol.payloads import Heartbeat, ScoreSubmit

from .delivery import Deliverer
from .demo_data import BOT_USERS, seed_bots
from .service import Actor, ScoringService, ServiceError
from .service.types import Locked

log = logging.getLogger(__name__)

BOT_USERNAMES = tuple(username for username, _ in BOT_USERS)
HEARTBEAT_EVERY = 5.0  # seconds, as the desktop client's default


@dataclass(frozen=True)
class _Cell:
    category_id: int
    contestant_id: int
    criterion_id: int
    max_score: float


@dataclass
class Bot:
    """One bot judge and its sheet: cells still to score, cells scored."""

    actor: Actor
    unfilled: list[_Cell] = field(default_factory=list)
    filled: list[_Cell] = field(default_factory=list)
    closed_categories: set[int] = field(default_factory=set)
    last_beat: float = float("-inf")


class Simulator:
    """Submits one bot score every ``1 / rate`` seconds until stopped."""

    def __init__(
        self,
        service: ScoringService,
        deliverer: Deliverer,
        rate: float = 2.0,
        rng: random.Random | None = None,
        usernames: tuple[str, ...] = BOT_USERNAMES,
    ) -> None:
        self._service = service
        self._deliverer = deliverer
        self._interval = 1.0 / rate
        self._rng = rng or random.Random()
        self._usernames = usernames
        self._task: asyncio.Task[None] | None = None
        self._bots: list[Bot] = []
        self.submitted = 0

    def start(self) -> None:
        """Start submitting in the background."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="simulator")
            log.info("simulator: %.2f scores/s", 1.0 / self._interval)

    async def stop(self) -> None:
        """Stop and wait for the loop to end."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for bot in self._bots:
            await self._deliverer.deliver(self._service.set_online(bot.actor, False))
        self._bots = []

    @property
    def bots(self) -> list[Bot]:
        """The bot judges found (after :meth:`load`)."""
        return self._bots

    def load(self) -> None:
        """Add the bot accounts if missing; find them and what each still has to score."""
        if self._usernames == BOT_USERNAMES:
            seed_bots(self._service.db)
        self._bots = self._load_bots()

    async def _run(self) -> None:
        self.load()
        if not self._bots:
            log.warning("simulator: no bot judges (%s) found; nothing to do", self._usernames)
            return
        for bot in self._bots:
            await self._deliverer.deliver(self._service.set_online(bot.actor, True))
        turn = 0
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            bot = self._bots[turn % len(self._bots)]
            turn += 1
            try:
                await self.step(bot)
            except Exception:
                log.exception("simulator step failed")
            next_at += self._interval
            await asyncio.sleep(max(0.0, next_at - loop.time()))

    def _load_bots(self) -> list[Bot]:
        bots = []
        for username in self._usernames:
            user = self._service.get_user_by_username(username)
            if user is not None:
                bot = Bot(Actor(user.id, user.role, user.username))
                self._refresh(bot)
                bots.append(bot)
        return bots

    def _refresh(self, bot: Bot) -> None:
        snapshot: Snapshot = self._service.snapshot(bot.actor)
        mine = {
            (s.category_id, s.contestant_id, s.criterion_id)
            for s in snapshot.scores
            if s.judge_id == bot.actor.user_id
        }
        bot.unfilled.clear()
        bot.filled.clear()
        for category in snapshot.categories:
            if category.id in bot.closed_categories:
                continue
            for contestant_id in category.contestant_ids:
                for criterion in category.criteria:
                    cell = _Cell(category.id, contestant_id, criterion.id, criterion.max_score)
                    key = (cell.category_id, cell.contestant_id, cell.criterion_id)
                    (bot.filled if key in mine else bot.unfilled).append(cell)
        self._rng.shuffle(bot.unfilled)

    async def step(self, bot: Bot) -> None:
        """One submission for ``bot``: an unfilled cell, else a revision of a filled one."""
        now = asyncio.get_running_loop().time()
        if now - bot.last_beat >= HEARTBEAT_EVERY:
            bot.last_beat = now
            beat = self._service.heartbeat(bot.actor, Heartbeat(pending_count=0))
            await self._deliverer.deliver(beat.effects)
        if not bot.unfilled and not bot.filled:
            self._refresh(bot)
        if bot.unfilled:
            cell = bot.unfilled.pop()
        elif bot.filled:
            cell = self._rng.choice(bot.filled)
        else:
            return
        value = round(self._rng.uniform(0.5, 1.0) * cell.max_score * 2) / 2
        payload = ScoreSubmit(
            client_id=str(uuid.uuid4()),
            category_id=cell.category_id,
            contestant_id=cell.contestant_id,
            criterion_id=cell.criterion_id,
            score=value,
        )
        try:
            outcome = self._service.submit_score(bot.actor, payload)
        except Locked:
            bot.closed_categories.add(cell.category_id)
            bot.filled = [c for c in bot.filled if c.category_id != cell.category_id]
            bot.unfilled = [c for c in bot.unfilled if c.category_id != cell.category_id]
            return
        except ServiceError as exc:
            log.debug("simulator: %s refused: %s", bot.actor.username, exc.message)
            return
        if cell not in bot.filled:
            bot.filled.append(cell)
        self.submitted += 1
        await self._deliverer.deliver(outcome.effects)
