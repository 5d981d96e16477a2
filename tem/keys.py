"""Signing keys for a real network: from the environment or an encrypted keystore file.

Keys never come from code, and are never printed: only the address they sign for is.
"""

from __future__ import annotations

import json

from eth_account import Account

from tem.errors import TemError
from tem.settings import Settings


def configured_keys(settings: Settings) -> list[bytes]:
    if settings.deployer_key is not None:
        try:
            return [bytes(Account.from_key(settings.deployer_key.get_secret_value()).key)]
        except (ValueError, TypeError):
            raise TemError("TEM_DEPLOYER_KEY is not a 32-byte hex private key") from None
    if settings.keystore_file is not None:
        if settings.keystore_password is None:
            raise TemError("TEM_KEYSTORE_FILE is set but TEM_KEYSTORE_PASSWORD is not")
        try:
            keystore = json.loads(settings.keystore_file.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise TemError(f"cannot read the keystore {settings.keystore_file}: {exc}") from None
        try:
            return [bytes(Account.decrypt(keystore, settings.keystore_password.get_secret_value()))]
        except ValueError:
            raise TemError(
                f"TEM_KEYSTORE_PASSWORD does not open {settings.keystore_file}"
            ) from None
    return []
