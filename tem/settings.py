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
