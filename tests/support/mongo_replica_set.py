"""A three-member MongoDB replica set on one host, for the faults only a replica set has.

Three ``mongod`` from the same wheel, each with its own port and data folder, initiated as
one set: a primary and two secondaries, majority writes confirmed by two of the three. A
member may be stepped down, killed or stopped and started again on its own data, and rejoins
the set by itself, as on three machines.
"""

from __future__ import annotations

import time
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import AutoReconnect, ConnectionFailure, OperationFailure, PyMongoError

from services.cli.infra import REPLICA_SET, InfraError, MongoServer, free_port, wait_for


class Member(MongoServer):
    """One member: started like the single-node server, initiated with the others."""

    def _initiate(self, timeout: float) -> None:
        # The set is initiated once, from the first member, when every member answers; a
        # member started again finds its configuration in its data folder.
        return

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, writes in flight cut off."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(10)

    def client(self) -> MongoClient[dict[str, object]]:
        return MongoClient(
            "127.0.0.1", self.port, directConnection=True, serverSelectionTimeoutMS=3000
        )

    def state(self) -> str:
        """PRIMARY, SECONDARY, ... as the member sees itself ("DOWN" when it does not answer)."""
        if self.process is None:
            return "DOWN"
        client = self.client()
        try:
            hello = client.admin.command("hello")
        except PyMongoError:
            return "DOWN"
        finally:
            client.close()
        if hello.get("isWritablePrimary"):
            return "PRIMARY"
        return "SECONDARY" if hello.get("secondary") else "OTHER"


class MongoReplicaSet:
    """Three members; ``url`` names them all, as a deployment's connection string does."""

    def __init__(self, home: Path, size: int = 3) -> None:
        self.members = [Member(home / f"member{i}", free_port()) for i in range(size)]

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{member.port}" for member in self.members)
        return f"mongodb://{hosts}/?replicaSet={REPLICA_SET}"

    def start(self, timeout: float = 90) -> None:
        try:
            for member in self.members:
                member.start(timeout)
            client = self.members[0].client()
            try:
                client.admin.command(
                    "replSetInitiate",
                    {
                        "_id": REPLICA_SET,
                        "members": [
                            {"_id": i, "host": f"127.0.0.1:{member.port}"}
                            for i, member in enumerate(self.members)
                        ],
                    },
                )
            finally:
                client.close()
            wait_for(self.healthy, timeout, "the replica set to elect a primary")
        except BaseException:
            self.stop()
            raise

    def healthy(self) -> bool:
        """One primary and every other member a secondary."""
        states = sorted(member.state() for member in self.members)
        return states == ["PRIMARY", *["SECONDARY"] * (len(self.members) - 1)]

    def primary(self, timeout: float = 60) -> Member:
        """The member that is primary now (waiting through an election)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for member in self.members:
                if member.state() == "PRIMARY":
                    return member
            time.sleep(0.2)
        raise InfraError("no primary")

    def secondary(self) -> Member:
        return next(member for member in self.members if member.state() == "SECONDARY")

    def step_down(self, seconds: int = 10, timeout: float = 60) -> Member:
        """Have the primary step down (it may not stand again for ``seconds``) and wait until
        another member is primary. Under load the primary refuses while no secondary has
        caught up with it, so the request is repeated until it takes."""
        old = self.primary()
        deadline = time.monotonic() + timeout
        while True:
            client = old.client()
            try:
                client.admin.command(
                    "replSetStepDown", seconds, secondaryCatchUpPeriodSecs=max(1, seconds - 1)
                )
            except (AutoReconnect, ConnectionFailure):
                pass  # the primary closes its connections as it steps down, this one too
            except OperationFailure as refused:
                if time.monotonic() > deadline:
                    raise InfraError(f"the primary would not step down: {refused}") from refused
            finally:
                client.close()
            if old.state() != "PRIMARY":
                return old
            time.sleep(0.5)

    def stop(self) -> None:
        """Throw the set away: its members are killed, not shut down. A member's clean
        shutdown waits out mongod's quiesce period (15 s) while others are in the set, which
        made the module's teardown take most of a minute; its data is not read again."""
        for member in self.members:
            member.kill()
