"""Signing a person in: password, then (where needed) a second factor, then a session.

The steps a person can be at, each answered by the console with a page:

- ``sign_in``: an e-mail and a password. A wrong password and an unknown or deactivated
  e-mail get the same refusal after the same work, so the door tells nobody who works here.
  Attempts are throttled per account name and per client address.
- ``second_factor``: a right password of a person with TOTP turned on, or of a role that must
  have it (supervisors, operators, auditors), leads to a short-lived challenge instead of a
  session: type the code, or set the factor up first.
- ``accept_link``: an invitation or reset link sets a new password (spending the link), ends
  every session the person had, and continues like a sign-in.

Every step is written to the sign-in log for auditors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from pymongo import ReturnDocument

from services.intake.access import links, passwords, second_factor, sessions
from services.intake.access.account_models import Account, SignInChallenge, SignInFailure
from services.intake.access.sessions import Client, Lifetimes
from services.intake.access.sign_in_log import log_event
from services.intake.access.tokens import digest, new_secret
from services.intake.access.vault import Vault
from services.intake.directory import officers
from shared.ratelimit import SharedLimiter

# Roles whose sign-in always needs a second factor: they see a whole regency or province.
SECOND_FACTOR_ROLES: Final = frozenset({"supervisor", "operator", "auditor"})
CHALLENGE_LIFETIME: Final = timedelta(minutes=10)
CHALLENGE_ATTEMPTS: Final = 5
THROTTLE_WINDOW: Final = timedelta(minutes=15)

Document = dict[str, Any]
Step = Literal["session", "second_factor", "enrol"]
# An account id no officer can have (ids are slugs): read in place of an unknown address's.
_NOBODY: Final = "\x00nobody"


@dataclass(frozen=True)
class Throttle:
    """How many failures an account name, and attempts a client address, may make."""

    per_account: int
    per_address: int


@dataclass(frozen=True)
class Outcome:
    """Where a successful step leads: a session, or a challenge for the second factor."""

    step: Step
    token: str
    officer_id: str


class SignInRefused(Exception):
    """A step that did not succeed; ``reason`` is what the person may be told."""

    def __init__(self, reason: str, retry_after: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class Door:
    """What the sign-in steps need: the vault (TOTP secrets are sealed), the shared limiter,
    the session lifetimes and throttle limits."""

    vault: Vault | None
    limiter: SharedLimiter
    lifetimes: Lifetimes
    throttle: Throttle


# --- throttling ------------------------------------------------------------------------------


def account_key(email: str) -> str:
    """The name attempts on an account are counted under, whether or not it exists."""
    return digest("sign-in:" + email.strip().lower())[:32]


def _reserve_attempt(door: Door, key: str, client: Client, now: datetime) -> list[Any]:
    """Count this attempt on the account name and on the client's address BEFORE any
    password or code is checked, and refuse it (SignInRefused("throttled")) past either
    limit; the ids of the attempt's records.

    Recording first and counting after makes the limits hold under concurrency: of attempts
    arriving together, the k-th recorded counts at least k, so no more than the limit can
    ever reach the check. A successful attempt takes its records back (``_forgive``); a
    failed one stays, counted for 15 minutes. Only failures count against an address, so
    a regency office whose forty officers sign in at eight from one address is never held
    up, while guessing from that address is.
    """
    names = [(key, door.throttle.per_account)]
    if client.address:
        names.append((f"address:{client.address}", door.throttle.per_address))
    failures = SignInFailure._get_collection()
    since = now - THROTTLE_WINDOW
    attempts: list[Any] = []
    for name, limit in names:
        attempt = failures.insert_one(
            {"account": name, "at": now, "expires_at": now + THROTTLE_WINDOW}
        ).inserted_id
        attempts.append(attempt)
        if failures.count_documents({"account": name, "at": {"$gt": since}}) > limit:
            _forgive(attempts)
            oldest = failures.find_one({"account": name, "at": {"$gt": since}}, sort=[("at", 1)])
            wait = (oldest["at"] + THROTTLE_WINDOW - now) if oldest else THROTTLE_WINDOW
            raise SignInRefused("throttled", max(1, math.ceil(wait.total_seconds())))
    return attempts


def _forgive(attempts: list[Any]) -> None:
    """A successful attempt is no failure: take its records back."""
    SignInFailure._get_collection().delete_many({"_id": {"$in": attempts}})


def _officer_key(officer: Mapping[str, Any]) -> str:
    # The same name a sign-in with the person's address is counted under.
    return account_key(str(officer.get("email") or officer["_id"]))


# --- steps -------------------------------------------------------------------------------------


def sign_in(door: Door, email: str, password: str, client: Client, now: datetime) -> Outcome:
    """Check a password; the next step, or SignInRefused("credentials" | "throttled")."""
    key = account_key(email)
    try:
        attempt = _reserve_attempt(door, key, client, now)
    except SignInRefused:
        log_event("throttled", now, client=client, account_digest=key)
        raise
    officer = officers.find_by_email(email.strip())
    # The same reads and the same hashing whether or not the address belongs to anyone, so
    # neither the answer nor its time tells who works here.
    account = Account._get_collection().find_one({"_id": officer["_id"] if officer else _NOBODY})
    stored = account.get("password_hash") if account else None
    if not passwords.verify_password(stored, password) or officer is None or account is None:
        log_event("failed", now, officer=officer, client=client, account_digest=key)
        raise SignInRefused("credentials")
    _forgive(attempt)
    if stored and passwords.needs_rehash(stored):
        _set_password_hash(officer["_id"], passwords.hash_password(password), now)
    return _after_password(door, officer, account, client, now, key)


def _after_password(
    door: Door,
    officer: Mapping[str, Any],
    account: Mapping[str, Any] | None,
    client: Client,
    now: datetime,
    key: str | None = None,
) -> Outcome:
    if account and account.get("totp_enabled_at"):
        return _challenge(officer, "second_factor", client, now)
    if officer["role"] in SECOND_FACTOR_ROLES:
        return _challenge(officer, "enrol", client, now)
    token = _start_session(door, officer, False, client, now)
    log_event("signed_in", now, officer=officer, client=client, account_digest=key)
    return Outcome("session", token, officer["_id"])


def _start_session(
    door: Door, officer: Mapping[str, Any], with_factor: bool, client: Client, now: datetime
) -> str:
    """Open a session for ``officer`` as read, unless the directory changed them meanwhile.

    A supervisor's change of role, region or activity ends the person's sessions right after
    it is written; a session opened from an entry read just before that change would escape
    it. So the entry is read again once the session exists: of the two writers, whichever
    comes second sees the other's write, and the session ends either way.
    """
    token = sessions.start(
        officer, second_factor=with_factor, client=client, lifetimes=door.lifetimes, now=now
    )
    current = officers.lookup(str(officer["_id"]))
    if current is None or any(current.get(f) != officer.get(f) for f in ("role", "region")):
        prefix = sessions.prefix_of(token)
        if prefix is not None:
            sessions.end(prefix)
        raise SignInRefused("challenge")
    return token


def end_challenges(officer_id: str) -> int:
    """Void every pending sign-in step of a person (their password changed)."""
    return int(
        SignInChallenge._get_collection().delete_many({"officer_id": officer_id}).deleted_count
    )


def _challenge(officer: Mapping[str, Any], kind: Step, client: Client, now: datetime) -> Outcome:
    log_event("second_factor_required", now, officer=officer, client=client, detail=kind)
    token = new_secret()
    SignInChallenge._get_collection().insert_one(
        {
            "_id": digest(token),
            "officer_id": officer["_id"],
            "kind": kind,
            "pending_secret": None,
            "attempts": 0,
            "client_address": client.address,
            "client_agent": client.agent,
            "expires_at": now + CHALLENGE_LIFETIME,
        }
    )
    return Outcome(kind, token, officer["_id"])


def _open_challenge(token: str, kind: Step, now: datetime) -> tuple[Document, Document]:
    """The live challenge and its (active) officer, counting this attempt."""
    challenge = SignInChallenge._get_collection().find_one_and_update(
        {
            "_id": digest(token),
            "kind": kind,
            "expires_at": {"$gt": now},
            "attempts": {"$lt": CHALLENGE_ATTEMPTS},
        },
        {"$inc": {"attempts": 1}},
        return_document=ReturnDocument.AFTER,
    )
    if challenge is None:
        raise SignInRefused("challenge")
    officer = officers.lookup(challenge["officer_id"])
    if officer is None:
        raise SignInRefused("challenge")
    return challenge, officer


def verify_second_factor(
    door: Door, token: str, code: str, client: Client, now: datetime
) -> Outcome:
    """A code for a ``second_factor`` challenge; a session, or SignInRefused("code")."""
    vault = _vault(door)
    challenge, officer = _open_challenge(token, "second_factor", now)
    attempt = _code_attempt(door, officer, client, now)
    account = Account._get_collection().find_one({"_id": officer["_id"]}) or {}
    sealed = account.get("totp_sealed")
    if not sealed:
        raise SignInRefused("challenge")
    secret = vault.open(sealed, _aad(officer["_id"]))["secret"]
    step = second_factor.matching_step(secret, code, now, account.get("totp_last_step"))
    if step is None or not _use_step(officer["_id"], step):
        log_event("second_factor_failed", now, officer=officer, client=client)
        raise SignInRefused("code")
    _forgive(attempt)
    SignInChallenge._get_collection().delete_one({"_id": challenge["_id"]})
    return _session(door, officer, client, now)


def _code_attempt(door: Door, officer: Mapping[str, Any], client: Client, now: datetime) -> Any:
    """A typed code counts on the person's account like a password: a wrong one is a failure,
    so fresh challenges (the password is known) cannot be used to guess codes for ever."""
    key = _officer_key(officer)
    try:
        return _reserve_attempt(door, key, client, now)
    except SignInRefused:
        log_event("throttled", now, officer=officer, client=client, account_digest=key)
        raise


def enrolment(door: Door, token: str, now: datetime) -> tuple[str, str]:
    """The secret to set up for an ``enrol`` challenge, and its provisioning URI (made once
    per challenge, so reloading the page shows the same QR code)."""
    vault = _vault(door)
    challenge, officer = _open_challenge(token, "enrol", now)
    collection = SignInChallenge._get_collection()
    if challenge.get("pending_secret"):
        secret = vault.open(challenge["pending_secret"], _aad(officer["_id"]))["secret"]
    else:
        secret = second_factor.new_secret()
        sealed = vault.seal({"secret": secret}, _aad(officer["_id"]))
        collection.update_one({"_id": challenge["_id"]}, {"$set": {"pending_secret": sealed}})
    # Showing the secret is not an attempt at guessing anything.
    collection.update_one({"_id": challenge["_id"]}, {"$inc": {"attempts": -1}})
    label = officer.get("email") or officer["_id"]
    return secret, second_factor.provisioning_uri(secret, label)


def confirm_enrolment(door: Door, token: str, code: str, client: Client, now: datetime) -> Outcome:
    """The first code from the newly set-up app turns the factor on and opens a session."""
    vault = _vault(door)
    challenge, officer = _open_challenge(token, "enrol", now)
    if not challenge.get("pending_secret"):
        raise SignInRefused("challenge")
    attempt = _code_attempt(door, officer, client, now)
    secret = vault.open(challenge["pending_secret"], _aad(officer["_id"]))["secret"]
    step = second_factor.matching_step(secret, code, now, None)
    if step is None:
        log_event("second_factor_failed", now, officer=officer, client=client)
        raise SignInRefused("code")
    _forgive(attempt)
    enable_factor(officer, challenge["pending_secret"], step, now, client)
    SignInChallenge._get_collection().delete_one({"_id": challenge["_id"]})
    return _session(door, officer, client, now)


def enable_factor(
    officer: Mapping[str, Any],
    sealed: Mapping[str, Any],
    step: int,
    now: datetime,
    client: Client | None,
) -> None:
    """Store a confirmed TOTP secret on the person's account."""
    Account._get_collection().update_one(
        {"_id": officer["_id"]},
        {
            "$set": {
                "totp_sealed": dict(sealed),
                "totp_enabled_at": now,
                "totp_last_step": step,
                "updated_at": now,
            },
            "$setOnInsert": {"created_at": now},
        },
        upsert=True,
    )
    log_event("second_factor_enabled", now, officer=officer, client=client)


def _session(door: Door, officer: Mapping[str, Any], client: Client, now: datetime) -> Outcome:
    token = _start_session(door, officer, True, client, now)
    log_event("signed_in", now, officer=officer, client=client, detail="second_factor")
    return Outcome("session", token, officer["_id"])


def _use_step(officer_id: str, step: int) -> bool:
    """Record ``step`` as used; False when it (or a later one) already was (a replay)."""
    result = Account._get_collection().update_one(
        {
            "_id": officer_id,
            "$or": [{"totp_last_step": None}, {"totp_last_step": {"$lt": step}}],
        },
        {"$set": {"totp_last_step": step}},
    )
    return bool(result.modified_count == 1)


def accept_link(door: Door, token: str, password: str, client: Client, now: datetime) -> Outcome:
    """Set a new password through a one-time link and continue as a sign-in.

    Raises SignInRefused("link") for a spent, expired or unknown link, and PasswordRefused
    (before spending anything, so the person can try another) for a weak password.
    """
    view = links.inspect(token, now)
    officer = officers.lookup(view.officer_id) if view.officer_id else None
    if view.state != "valid" or officer is None:
        if view.state != "unknown":
            log_event("link_refused", now, officer=officer, client=client, detail=view.state)
        raise SignInRefused("link")
    verdict = passwords.check_policy(password, [officer["name"], officer.get("email") or ""])
    if not verdict.ok:
        raise PasswordRefused(verdict)
    if links.spend(token, now) is None:
        raise SignInRefused("link")
    _set_password_hash(officer["_id"], passwords.hash_password(password), now)
    ended = sessions.end_all(officer["_id"])
    # A step begun with the old password (a code to type, a factor to set up) ends too: it
    # must not outlive the password that opened it.
    end_challenges(officer["_id"])
    log_event(
        "password_set",
        now,
        officer=officer,
        client=client,
        detail=f"{view.purpose}; {ended} session(s) ended",
    )
    account = Account._get_collection().find_one({"_id": officer["_id"]})
    return _after_password(door, officer, account, client, now)


class PasswordRefused(Exception):
    """A new password that the policy refuses; ``verdict`` says why."""

    def __init__(self, verdict: passwords.PolicyVerdict) -> None:
        super().__init__(verdict.message)
        self.verdict = verdict


def _set_password_hash(officer_id: str, hashed: str, now: datetime) -> None:
    Account._get_collection().update_one(
        {"_id": officer_id},
        {
            "$set": {"password_hash": hashed, "password_set_at": now, "updated_at": now},
            "$setOnInsert": {"created_at": now},
        },
        upsert=True,
    )


def _vault(door: Door) -> Vault:
    if door.vault is None:
        # Without the vault key no TOTP secret can be kept safely: refuse, do not degrade.
        raise SignInRefused("unavailable")
    return door.vault


def _aad(officer_id: str) -> str:
    # The associated data ties a sealed secret to its person: it cannot be moved to another.
    return f"totp:{officer_id}"
