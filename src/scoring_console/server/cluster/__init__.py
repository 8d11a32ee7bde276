"""Several server nodes cooperating through Redis (issue 14).

Without ``--redis-url`` nothing here runs and the server is one process, as before.
With it, every node:

* publishes the *effects* of each committed transaction, with the transaction's
  ``seq`` range, on one Redis channel (:mod:`.ledger`, :mod:`.bus`, :mod:`.codec`);
* delivers its own and every other node's effects to its own sockets in ``seq`` order
  through the ordinary :class:`~scoring_console.server.delivery.Deliverer` — masked per
  recipient, ``prevSeq`` stamped per socket (:mod:`.gate`);
* keeps rate limits, failed-login limits and live-socket counts (presence, sockets per
  user) in Redis (:mod:`.limits`, :mod:`.presence`);
* is wired together, started and stopped by :class:`~.node.ClusterNode`.
"""
