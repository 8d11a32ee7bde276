"""The headless client core: connection, auth, durable outbox, resync and state.

asyncio only, no Qt: the desktop UI, ``scoring-cli``, tests and benchmarks all drive the
same :class:`~scoring_console.client.core.ClientCore`.
"""
