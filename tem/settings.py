"""All configuration, from `TEM_*` environment variables or an optional `.env` file.

One value, `TEM_CHAIN`, picks the chain: `embedded` (py-evm in process), `anvil` (a local
node started by tem) or the http(s)/ws(s) URL of a node, e.g. a Besu QBFT validator.
Secrets are `SecretStr`: they never appear in reprs, logs or error messages.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tem.errors import ConfigError

ChainKind = Literal["embedded", "anvil", "url"]
URL_SCHEMES = ("http", "https", "ws", "wss")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TEM_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "production"] = Field(
        "development", description="production refuses dev keys and missing secrets"
    )
    chain: str = Field(
        "anvil", description="embedded | anvil | http(s)://… | ws(s)://… (a PoA node)"
    )
    chain_id: int | None = Field(None, description="expected chain id; checked on connect")
    confirmations: int = Field(1, ge=1, description="blocks a receipt must be buried under")
    fee_model: Literal["auto", "eip1559", "legacy"] = "auto"
    deployer_key: SecretStr | None = Field(None, description="hex private key (external chains)")
    keystore_file: Path | None = Field(
        None, description="encrypted JSON keystore (external chains)"
    )
    keystore_password: SecretStr | None = None
    anvil_port: int | None = Field(None, ge=1, le=65535, description="default: a free port")
    nats: str = Field(
        "local",
        description="local (start nats-server) | nats://host:port, comma-separated for a cluster",
    )
    bus_replicas: int = Field(
        1, ge=1, le=5, description="JetStream stream replicas: 3 on a 3-node cluster"
    )
    nats_port: int | None = Field(None, ge=1, le=65535, description="default: a free port")
    data_dir: Path = Field(Path(".tem"), description="logs, local chain and JetStream state")
    deployments_dir: Path = Field(
        Path("deployments"), description="manifests of external chains, one per chain id"
    )
    roles_file: Path | None = Field(None, description="JSON: role name -> holders")
    database_url: str = Field(
        "sqlite:///.tem/tem.db", description="read model: sqlite:///… or postgresql+psycopg://…"
    )

    # -- input oracles (`tem oracles --only meter,price,order`) ----------------------------
    meter_rated_power_w: int = Field(
        25_000, gt=0, description="rated power of every registered meter (spike rule)"
    )
    meter_reading_interval_s: int | None = Field(
        None, gt=0, description="length of one gateway reading; default: the market interval"
    )
    meter_open_window_s: int = Field(
        2 * 86_400, gt=0, description="readings older than this are quarantined"
    )
    meter_batch: int = Field(500, ge=1, le=2_000, description="readings per transaction")
    meter_post_period_s: float = Field(5.0, gt=0, description="how often ended intervals post")
    meter_ack_wait_s: float = Field(
        30.0, gt=0, description="an unacknowledged bus reading is redelivered after this"
    )
    meter_inbox_dir: Path | None = Field(None, description="folder of meter files to ingest")
    price_config_file: Path | None = Field(
        None, description="JSON: a tariff or a day-ahead file with markup (docs/prices.md)"
    )
    tariff_import_price: int = Field(
        3_000, description="flat import tariff without a price config (credit units/kWh)"
    )
    tariff_feed_in_price: int = Field(
        800, description="flat feed-in tariff without a price config (credit units/kWh)"
    )
    price_lead_intervals: int = Field(4, ge=1, description="intervals ahead to post tariffs for")
    gate_closure_s: int = Field(60, ge=0, description="the book closes this long before")
    tx_stuck_after_s: float = Field(
        30.0, gt=0, description="no receipt by then: the oracle replaces it with a higher fee"
    )

    @field_validator("chain")
    @classmethod
    def _chain_is_known(cls, value: str) -> str:
        value = value.strip()
        if value in ("embedded", "anvil"):
            return value
        scheme = urlsplit(value).scheme
        if scheme in URL_SCHEMES and urlsplit(value).hostname:
            return value
        raise ValueError(
            f"{value!r} is not a chain: use embedded, anvil, or a node URL (http(s)://, ws(s)://)"
        )

    @field_validator("nats")
    @classmethod
    def _nats_is_known(cls, value: str) -> str:
        servers = [url.strip() for url in value.split(",")]
        if value == "local" or all(
            urlsplit(url).scheme in ("nats", "tls") and urlsplit(url).hostname for url in servers
        ):
            return value
        raise ValueError(
            f"{value!r} is not a NATS server: use local or nats://host:port[,nats://host:port...]"
        )

    @model_validator(mode="after")
    def _production_needs_real_keys(self) -> Settings:
        if self.environment == "production":
            if self.chain_kind != "url":
                raise ValueError("production needs TEM_CHAIN to be a node URL")
            if self.deployer_key is None and self.keystore_file is None:
                raise ValueError("production needs TEM_DEPLOYER_KEY or TEM_KEYSTORE_FILE")
        return self

    @property
    def chain_kind(self) -> ChainKind:
        return self.chain if self.chain in ("embedded", "anvil") else "url"  # type: ignore[return-value]

    @cached_property
    def local_deployments_dir(self) -> Path:
        """Manifests of throw-away local chains live with the other local state."""
        return self.data_dir / "deployments"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with a one-line `ConfigError` naming a bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "settings"
        variable = f"TEM_{field.upper()}" if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{variable}: {message}") from None
