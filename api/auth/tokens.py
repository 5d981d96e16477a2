"""Access tokens: a compact HMAC-SHA256-signed JSON payload, valid for minutes.

`<base64url(payload)>.<base64url(hmac)>`; the payload holds the address, the roles read
on-chain at sign-in, and the issue and expiry times. No server state is needed to check
one, so API replicas only share the secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Literal

Role = Literal["prosumer", "grid_operator", "admin"]
ROLES: tuple[Role, ...] = ("prosumer", "grid_operator", "admin")


class TokenInvalid(ValueError):
    """Malformed, forged or expired; the message says which."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: an address and the roles it held on-chain at sign-in."""

    address: str
    roles: frozenset[Role]
    expires_at: int

    def has(self, role: Role) -> bool:
        return role in self.roles


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(
    *, secret: bytes, address: str, roles: frozenset[Role], now: int, ttl_s: int
) -> str:
    payload = json.dumps(
        {"sub": address, "roles": sorted(roles), "iat": now, "exp": now + ttl_s},
        separators=(",", ":"),
    ).encode()
    mac = hmac.new(secret, payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(mac)}"


def verify_token(token: str, *, secret: bytes, now: int) -> Principal:
    try:
        payload_b64, mac_b64 = token.split(".")
        payload = _unb64(payload_b64)
        mac = _unb64(mac_b64)
    except ValueError:
        raise TokenInvalid("the token is malformed") from None
    if not hmac.compare_digest(mac, hmac.new(secret, payload, hashlib.sha256).digest()):
        raise TokenInvalid("the token's signature does not match")
    try:
        claims = json.loads(payload)
        address, roles, expires = str(claims["sub"]), claims["roles"], int(claims["exp"])
    except (ValueError, KeyError, TypeError):
        raise TokenInvalid("the token's payload is malformed") from None
    if expires <= now:
        raise TokenInvalid("the token has expired: sign in again")
    return Principal(address, frozenset(r for r in ROLES if r in roles), expires)
