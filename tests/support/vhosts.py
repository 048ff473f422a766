"""The test vhosts whose test has ended, deleted when the next one is created.

RabbitMQ keeps file handles per virtual host (its queues' segment and index files) and has
about a thousand in all here: a run that kept every finished test's vhost until the end ran
out of them and stalled the broker. Each finished vhost is deleted in the same rabbitmqctl
call that creates the next test's (one call of about a second either way), so at most one
finished vhost is alive at a time and no deletion of many vhosts at once runs mid-suite.
"""

from __future__ import annotations

FINISHED: list[str] = []
