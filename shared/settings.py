"""Typed settings, read once from the environment.

Every variable is prefixed ``PANTAU_``; the defaults serve the local mode (``pantau run``),
so a developer needs no configuration at all on one machine.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.broker.addresses import broker_urls


class Settings(BaseSettings):
    """Configuration shared by every service and worker."""

    model_config = SettingsConfigDict(
        env_prefix="PANTAU_",
        extra="ignore",
        # A bad value is named, never echoed: several settings hold passwords (broker URLs).
        hide_input_in_errors=True,
    )

    # --- storage and messaging -------------------------------------------------------------
    mongo_url: str = Field(
        default="mongodb://127.0.0.1:27017/?replicaSet=rs0",
        description="MongoDB connection string (a replica set: transactions and retryable writes).",
    )
    db_prefix: str = Field(
        default="pantau",
        description="Each service owns the database '<prefix>_<service>'.",
    )
    amqp_url: str = Field(
        default="amqp://guest:guest@127.0.0.1:5672/%2F?heartbeat=30",
        description=(
            "RabbitMQ connection URL (the virtual host is part of it); for a cluster, one URL"
            " per node separated by commas, tried in turn."
        ),
    )
    exchange: str = Field(default="pantau.events", description="Topic exchange for all events.")
    prefetch: int = Field(default=50, ge=1, le=1000, description="Unacked messages per consumer.")
    retry_delays_ms: str = Field(
        default="1000,5000,30000,120000",
        description="Growing delays of the retry path; one retry queue per delay.",
    )
    max_attempts: int = Field(
        default=5, ge=1, le=50, description="Attempts before a message is parked."
    )
    delivery_limit: int = Field(
        default=10,
        ge=1,
        description="Broker-side redelivery limit (a message that kills its worker repeatedly).",
    )

    # --- HTTP -------------------------------------------------------------------------------
    intake_url: str = Field(
        default="http://127.0.0.1:8001",
        description="Where triage and notify check API keys (intake's internal address).",
    )
    triage_url: str = Field(
        default="http://127.0.0.1:8002", description="Triage's internal address (the console)."
    )
    notify_url: str = Field(
        default="http://127.0.0.1:8003", description="Notify's internal address (the console)."
    )
    console_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where people reach the console: links in alerts and invitations go there.",
    )
    max_body_bytes: int = Field(
        default=1_048_576, description="Largest JSON request body accepted (bytes)."
    )

    # --- intake -------------------------------------------------------------------------------
    vault_key: SecretStr = Field(
        default=SecretStr(""),
        description=(
            "Base64 of 32 random bytes: the AES-256-GCM key of the reporter vault, from which "
            "intake's stand-ins for callers' addresses are also keyed. Required to accept "
            "reports that carry a reporter's identity."
        ),
    )
    receipt_key: SecretStr = Field(
        default=SecretStr(""),
        description=(
            "Base64 of 32 random bytes, the same for intake and notify: seals the contact a "
            "citizen gives for their tracking code, so no queue, log or database holds it "
            "readable. Unset: the code is shown to the citizen and not sent."
        ),
    )
    reveal_roles: str = Field(
        default="supervisor",
        description="Roles allowed to reveal a confidential reporter's identity (comma-separated).",
    )
    max_batch_bytes: int = Field(
        default=5_242_880, description="Largest batch submission body accepted (bytes)."
    )
    submit_rate_per_minute: int = Field(
        default=1200, ge=1, description="Submissions one API key may make per minute."
    )
    track_rate_per_minute: int = Field(
        default=30,
        ge=1,
        description="Tracking-code lookups one client address may make per minute.",
    )
    public_reports_per_address: int = Field(
        default=20,
        ge=1,
        description="Report forms one citizen's address may send per hour (console and intake).",
    )
    public_reports_per_regency: int = Field(
        default=300,
        ge=1,
        description="Citizens' reports one regency may receive per hour.",
    )
    trusted_proxies: int = Field(
        default=0,
        ge=0,
        description=(
            "Reverse proxies in front of intake and the console whose X-Forwarded-For is "
            "trusted (1 behind the front door: the local mode and compose set it)."
        ),
    )
    evidence_max_file_bytes: int = Field(
        default=20_971_520, ge=1, description="Largest evidence file accepted (bytes)."
    )
    evidence_max_files_per_case: int = Field(
        default=50, ge=1, description="Evidence files one case may hold."
    )
    export_max_rows: int = Field(
        default=100_000,
        ge=1,
        description="Most cases one CSV export may hold; larger ones are refused (narrow them).",
    )
    export_max_active_per_key: int = Field(
        default=3, ge=1, description="Exports one API key may have queued or running at once."
    )
    export_ttl_hours: int = Field(
        default=24, ge=1, description="Hours an export job and its CSV file are kept."
    )
    export_poll_interval_s: float = Field(
        default=2.0, gt=0, description="How often the intake worker looks for queued exports."
    )

    session_idle_minutes: int = Field(
        default=30, ge=1, le=240, description="A console session ends after this long unused."
    )
    session_absolute_hours: int = Field(
        default=12, ge=1, le=24, description="A console session ends this long after sign-in."
    )
    sign_in_failures_per_account: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins one account name may have in 15 minutes before waiting.",
    )
    sign_in_rate_per_address: int = Field(
        default=30,
        ge=1,
        description="Failed sign-in steps one client address may have in 15 minutes.",
    )

    # --- console ------------------------------------------------------------------------------
    console_key: SecretStr = Field(
        default=SecretStr(""),
        description="The console's intake key (role console): signs people in, reads no case.",
    )
    public_key: SecretStr = Field(
        default=SecretStr(""),
        description="The public pages' intake key (role public): files citizens' reports only.",
    )
    console_secret: SecretStr = Field(
        default=SecretStr(""),
        description=(
            "Random secret that signs the console's cookies and form tokens, and keys its "
            "stand-ins for citizens' addresses."
        ),
    )
    console_cookie_secure: bool = Field(
        default=True,
        description="Send the console's cookies over HTTPS only (false: plain-http local use).",
    )

    # --- notify -------------------------------------------------------------------------------
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server for e-mail alerts.")
    smtp_port: int = Field(default=1025, description="SMTP port.")
    smtp_user: str = Field(default="", description="SMTP user; empty means no authentication.")
    smtp_password: SecretStr = Field(default=SecretStr(""), description="SMTP password.")
    smtp_starttls: bool = Field(
        default=False, description="Upgrade the SMTP session with STARTTLS."
    )
    smtp_ssl: bool = Field(default=False, description="Connect with implicit TLS (port 465).")
    smtp_timeout_s: float = Field(default=10.0, description="SMTP connect/command timeout.")
    smtp_keepalive_s: float = Field(
        default=30.0,
        ge=0,
        description="Keep an idle SMTP session this long for the next alert; 0: one per alert.",
    )
    mail_from: str = Field(
        default="Pantau <pantau@localhost>", description="From address of alerts."
    )
    sms_gateway_url: str = Field(
        default="", description="HTTP endpoint of the SMS gateway; empty turns SMS off."
    )
    sms_gateway_method: str = Field(
        default="POST", description="HTTP method of a gateway request (POST or GET)."
    )
    sms_gateway_format: str = Field(
        default="json",
        description="How the fields travel: json (body), form (urlencoded body) or query (URL).",
    )
    sms_gateway_fields: str = Field(
        default='{"to": "{to}", "text": "{text}", "ref": "{key}"}',
        description=(
            "JSON object of request fields; placeholders {to}, {to_digits}, {to_local}, "
            "{text}, {key}, {sender}, {user}, {password}."
        ),
    )
    sms_gateway_auth_header: str = Field(
        default="Authorization", description="Header that carries the gateway credential."
    )
    sms_gateway_auth_value: SecretStr = Field(
        default=SecretStr(""),
        description="Value of that header, e.g. 'Bearer <token>'; empty sends no header.",
    )
    sms_gateway_user: str = Field(default="", description="Gateway user for the {user} field.")
    sms_gateway_password: SecretStr = Field(
        default=SecretStr(""), description="Gateway password for the {password} field."
    )
    sms_gateway_success_field: str = Field(
        default="",
        description="Dotted path of the answer's status field; empty: any 2xx is success.",
    )
    sms_gateway_success_values: str = Field(
        default="", description="Comma-separated status values that mean sent."
    )
    sms_gateway_retry_values: str = Field(
        default="",
        description="Comma-separated status values that mean try later (others: rejected).",
    )
    sms_gateway_timeout_s: float = Field(
        default=10.0, gt=0, description="SMS gateway connect/read timeout."
    )
    sms_sender: str = Field(default="PANTAU", description="Sender name for the {sender} field.")
    notify_chat_url: str = Field(
        default="",
        description=(
            "Apprise URL (Telegram, WhatsApp, webhook...) for officers without their own; "
            "{officer_id} is replaced. Empty: only officers' own chat URLs."
        ),
    )
    notify_chat_timeout_s: float = Field(
        default=10.0, gt=0, description="Time limit of one chat (Apprise) delivery."
    )
    notify_rate_limit: int = Field(
        default=20,
        ge=0,
        description=(
            "Low and normal alerts per officer and channel per window before a digest "
            "(0: no limit); high and urgent alerts are never held."
        ),
    )
    notify_rate_window_s: int = Field(
        default=600, ge=1, description="Length of the rate-limit window (seconds)."
    )
    notify_digest_interval_s: float = Field(
        default=15.0, gt=0, description="How often the notify worker sends due digests."
    )

    # --- triage -------------------------------------------------------------------------------
    roster_file: str = Field(
        default="",
        description="YAML roster and routing tables; empty uses the shipped demo roster.",
    )
    triage_ladder_interval_s: float = Field(
        default=5.0,
        gt=0,
        description="How often the triage worker looks for due reminders and escalations.",
    )

    # --- operations ---------------------------------------------------------------------------
    log_level: str = Field(default="INFO", description="Log level of every process.")
    metrics_port: int = Field(
        default=0,
        description="Port where a worker serves /metrics, /healthz and /readyz (0: none).",
    )

    @field_validator("amqp_url")
    @classmethod
    def _broker_urls(cls, value: str) -> str:
        # A typo in a cluster's list stops the process at start, naming the part.
        broker_urls(value)
        return value

    def database_name(self, service: str) -> str:
        """The database owned by ``service``."""
        return f"{self.db_prefix}_{service}"

    def retry_delays(self) -> list[int]:
        """The retry delays in milliseconds, shortest first."""
        delays = sorted(int(part) for part in self.retry_delays_ms.split(",") if part.strip())
        if not delays or delays[0] <= 0:
            raise ValueError("PANTAU_RETRY_DELAYS_MS needs at least one positive delay")
        return delays


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
