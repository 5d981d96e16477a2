"""Settings of the API only (`TEM_API_*`); the chain, bus and store come from `tem.settings`.

The token secret is a `SecretStr` that refuses its development default in production: a
forgotten variable must stop the server, not sign tokens anyone can forge.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_TOKEN_SECRET = "development-only-token-secret-change-me"


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TEM_API_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "production"] = Field(
        "development", alias="TEM_ENVIRONMENT", description="shared with tem.settings"
    )
    token_secret: SecretStr = Field(
        SecretStr(DEV_TOKEN_SECRET), description="HMAC key of access tokens (>= 32 chars)"
    )
    token_ttl_s: int = Field(900, ge=30, le=86_400, description="access-token lifetime")
    nonce_ttl_s: int = Field(300, ge=10, le=3_600, description="login-nonce lifetime")
    login_domain: str = Field(
        "localhost", description="the EIP-4361 domain a sign-in message must name"
    )
    gate_closure_s: int = Field(
        60, ge=0, description="orders close this many seconds before their interval starts"
    )
    max_intervals_ahead: int = Field(96 * 2, ge=1, description="furthest interval accepted")
    max_order_energy_wh: int = Field(1_000_000, ge=1, description="largest order, Wh")
    max_limit_price_per_kwh: int = Field(
        1_000_000, ge=1, description="highest limit price, credit units per kWh"
    )
    rate_per_s: float = Field(50.0, gt=0, description="sustained requests per address")
    rate_burst: int = Field(100, ge=1, description="requests an address may burst")
    page_max: int = Field(500, ge=1, description="largest page a list returns")
    cache_ttl_s: float = Field(
        2.0, ge=0, description="how long chain reads (meters, credit) are reused"
    )
    retry_after_s: int = Field(5, ge=1, description="Retry-After of 503 answers")

    @model_validator(mode="after")
    def _secret_outside_development(self) -> ApiSettings:
        secret = self.token_secret.get_secret_value()
        if self.environment != "development" and secret == DEV_TOKEN_SECRET:
            raise ValueError("production needs TEM_API_TOKEN_SECRET (the default is public)")
        if len(secret) < 32:
            raise ValueError("TEM_API_TOKEN_SECRET must be at least 32 characters")
        return self
