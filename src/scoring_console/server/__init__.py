"""The bundled scoring server: aiohttp + python-socketio over the domain service.

Start it in-process with :func:`~scoring_console.server.app.start_server` and a
:class:`~scoring_console.server.config.ServerConfig`, or run ``scoring-server``.
Imports :mod:`scoring_console.protocol` only (never the client or Qt).
"""
