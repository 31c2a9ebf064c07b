"""Configuration from the environment, validated by pydantic-settings.

Every tunable lives here with its default; `lxera-pipeline run --help` and the daemon's start-up
log show them. Environment variables use the names below (``DATABASE_URL`` has no prefix, all
others are prefixed ``LXERA_``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from lxera_pipeline.redact import SecretDsn, secret_values

LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "lxera-pipeline"


class Settings(BaseSettings):
    """All settings of the pipeline. Field descriptions are the documentation."""

    model_config = SettingsConfigDict(env_prefix="LXERA_", extra="ignore")

    database_url: SecretDsn | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "LXERA_DATABASE_URL"),
        description="PostgreSQL DSN; unset means the embedded PostgreSQL in data_dir. A secret: "
        "shown with password=***.",
    )
    listen_database_url: SecretDsn | None = Field(
        default=None,
        description="DSN for the LISTEN connection when it must differ (direct or session mode).",
    )
    connect_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=60,
        description="How long a command waits for the database to answer before it reports the "
        "database unreachable.",
    )
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Per-user directory for the embedded PostgreSQL and local media storage.",
    )
    pool_size: int = Field(default=8, ge=1, le=200, description="Worker connection pool size.")

    # Daemon tunables
    concurrency: int = Field(default=16, ge=1, le=1000, description="Handlers running at once.")
    batch_size: int = Field(default=100, ge=1, le=5000, description="Deliveries claimed per query.")
    prefetch: int = Field(
        default=200,
        ge=0,
        le=5000,
        description="Deliveries claimed ahead of free handler slots while handlers are quick "
        "(full-batch claims; paced by recent handler durations; 0 turns it off).",
    )
    lease_seconds: float = Field(default=30.0, gt=0, description="Lease on a claimed delivery.")
    heartbeat_seconds: float = Field(default=10.0, gt=0, description="Lease renewal interval.")
    poll_seconds: float = Field(default=2.0, gt=0, description="Fallback poll interval.")
    claim_linger_seconds: float = Field(
        default=0.005,
        ge=0,
        le=1.0,
        description="After a claim found work, keep claiming (pauses of 4 ms, doubling while "
        "claims come back empty) for this long before arming the listener again: writers skip "
        "NOTIFY and a stream of events is claimed in batches (0 turns it off).",
    )
    probe_seconds: float = Field(
        default=15.0, gt=0, description="NOTIFY round-trip probe interval for the LISTEN link."
    )
    max_attempts: int = Field(default=5, ge=1, description="Default attempts before dead letter.")
    retry_base_seconds: float = Field(default=1.0, gt=0, description="First retry backoff.")
    retry_max_seconds: float = Field(default=300.0, gt=0, description="Backoff ceiling.")
    shutdown_grace_seconds: float = Field(
        default=30.0, ge=0, description="Time in-flight handlers get on SIGTERM."
    )
    http_port: int | None = Field(
        default=None, ge=0, le=65535, description="Port for /healthz, /readyz, /metrics."
    )
    handlers: str = Field(
        default="all",
        description="Comma-separated handler groups or modules this daemon runs ('all').",
    )
    reconnect_max_seconds: float = Field(default=30.0, gt=0, description="Reconnect ceiling.")
    event_loop: str = Field(
        default="auto",
        description="The daemon's event loop: 'uvloop', 'asyncio' or 'auto' (uvloop if installed).",
    )
    retention_days: float = Field(default=30.0, gt=0, description="Age at which prune removes.")
    analytics_refresh_seconds: float = Field(
        default=300.0,
        ge=0,
        description="Interval at which the daemon refreshes the analytics views (0: never).",
    )
    partition_maintenance_seconds: float = Field(
        default=3600.0,
        ge=0,
        le=86400,
        description="Interval at which the daemon creates the event and audit log partitions "
        "ahead (at start, then every interval; 0: never, run `partitions ensure` instead).",
    )
    partition_ahead_days: int = Field(
        default=7,
        ge=0,
        le=366,
        description="Days of daily log partitions kept ready ahead of today.",
    )
    log_format: str = Field(default="auto", description="'json', 'console' or 'auto' (tty).")
    log_level: str = Field(
        default="info", description="Minimum log level: debug, info, warning, error or critical."
    )

    # Workflow
    max_enhancement_attempts: int = Field(
        default=2,
        ge=0,
        le=5,
        description="Enhancement rounds a module may get before the quality gate fails it.",
    )
    narration_seconds_per_module: float = Field(
        default=20.0, gt=0, description="Target narration length the script writer condenses to."
    )
    video_fps: int = Field(
        default=2, ge=1, le=30, description="Frame rate of the still-slide video."
    )

    # Input limits: rows are untrusted input; over a limit the entity fails naming the limit.
    max_modules_per_plan: int = Field(
        default=200,
        ge=1,
        le=10000,
        description="Modules a plan's course_structure may list; a longer plan fails, "
        "creating nothing.",
    )
    max_title_chars: int = Field(
        default=200,
        ge=1,
        le=900,
        description="Characters in a course or module title (the database refuses over 1000).",
    )
    max_text_chars: int = Field(
        default=100_000,
        ge=1,
        le=10_000_000,
        description="Characters in one text field a handler reads: a section, a description, "
        "an objective.",
    )
    max_json_bytes: int = Field(
        default=1_000_000,
        ge=1_000,
        le=100_000_000,
        description="Bytes of one JSON document a handler reads (course_structure, module_spec, "
        "research_context), as compact JSON.",
    )

    # Ports (pluggable generators)
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible base URL.")
    llm_api_key: SecretStr | None = Field(
        default=None, description="API key for the chat endpoint (sent as a Bearer token)."
    )
    llm_model: str = Field(
        default="gpt-4o-mini", description="Chat model requested from the chat endpoint."
    )
    tts_base_url: str | None = Field(default=None, description="OpenAI-compatible speech URL.")
    tts_api_key: SecretStr | None = Field(
        default=None, description="API key for the speech endpoint (sent as a Bearer token)."
    )
    tts_model: str = Field(
        default="tts-1", description="Speech model requested from the speech endpoint."
    )
    storage_backend: str = Field(default="local", description="'local' or 'supabase'.")
    storage_dir: Path | None = Field(default=None, description="Local storage root.")
    supabase_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("SUPABASE_URL", "LXERA_SUPABASE_URL"),
        description="Supabase project URL (storage backend 'supabase').",
    )
    supabase_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_KEY", "LXERA_SUPABASE_KEY"
        ),
        description="Supabase service-role key (storage backend 'supabase').",
    )
    storage_bucket: str = Field(
        default="multimedia-assets",
        description="Bucket (local: folder) the media assets are stored in.",
    )
    storage_public_urls: bool = Field(
        default=False,
        description="Record public URLs (and create the bucket public); off: private bucket, "
        "readers get signed URLs that expire.",
    )
    storage_signed_url_seconds: int = Field(
        default=3600, ge=1, le=604_800, description="Lifetime of a signed storage URL."
    )
    storage_signing_key: SecretStr | None = Field(
        default=None,
        description="Key that signs local storage URLs (HMAC-SHA256); unset: a random key "
        "per process.",
    )
    dashboard_token: SecretStr | None = Field(
        default=None,
        description="Token for the dashboard's login and Bearer API; unset: loopback only.",
    )
    dashboard_host: str = Field(default="127.0.0.1", description="Dashboard bind address.")
    dashboard_port: int = Field(default=8080, ge=0, le=65535, description="Dashboard port.")
    dashboard_in_daemon: bool = Field(
        default=False, description="`run` also serves the dashboard (on its host and port)."
    )

    @field_validator("log_format")
    @classmethod
    def _check_log_format(cls, value: str) -> str:
        if value not in {"json", "console", "auto"}:
            raise ValueError(f"log_format must be json, console or auto, not {value!r}")
        return value

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        level = value.strip().lower()
        if level not in LOG_LEVELS:
            raise ValueError(f"log_level must be one of {', '.join(LOG_LEVELS)}, not {value!r}")
        return level

    @field_validator("event_loop")
    @classmethod
    def _check_event_loop(cls, value: str) -> str:
        if value not in {"uvloop", "asyncio", "auto"}:
            raise ValueError(f"event_loop must be uvloop, asyncio or auto, not {value!r}")
        return value

    def secret_values(self) -> list[str]:
        """Every secret value of these settings (and each DSN's password), for redaction."""
        return secret_values(
            self.database_url,
            self.listen_database_url,
            self.llm_api_key,
            self.tts_api_key,
            self.supabase_key,
            self.storage_signing_key,
            self.dashboard_token,
        )

    @property
    def media_root(self) -> Path:
        return self.storage_dir or (self.data_dir / "storage")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
