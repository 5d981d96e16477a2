"""Sign-in with EIP-712 typed data: the alternative to an EIP-4361 text message.

Wallets show typed data field by field (`eth_signTypedData_v4`), so a `Login` carries the
same facts as a SIWE message: who signs in, for which site, with which single-use server
nonce, on which chain, and for how long. The signing domain binds the chain id too, so a
signature made for another chain recovers to some other address and is refused.

    EIP712Domain(string name,string version,uint256 chainId)   name "TEM Sign-In", "1"
    Login(address account,string domain,string nonce,uint256 chainId,uint64 issuedAt,
          uint64 expiresAt)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

LOGIN_DOMAIN_NAME = "TEM Sign-In"
LOGIN_DOMAIN_VERSION = "1"
LOGIN_TYPE = (
    "Login(address account,string domain,string nonce,uint256 chainId,uint64 issuedAt,"
    "uint64 expiresAt)"
)
LOGIN_TYPEHASH = keccak(text=LOGIN_TYPE)
_DOMAIN_TYPEHASH = keccak(text="EIP712Domain(string name,string version,uint256 chainId)")

LOGIN_TYPED_DATA_TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
    ],
    "Login": [
        {"name": "account", "type": "address"},
        {"name": "domain", "type": "string"},
        {"name": "nonce", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "issuedAt", "type": "uint64"},
        {"name": "expiresAt", "type": "uint64"},
    ],
}


@dataclass(frozen=True)
class Login:
    """What the key signs: `domain` is the API's site (as in EIP-4361), times unix seconds."""

    account: str
    domain: str
    nonce: str
    chain_id: int
    issued_at: int
    expires_at: int

    def message(self) -> dict[str, Any]:
        return {
            "account": to_checksum_address(self.account),
            "domain": self.domain,
            "nonce": self.nonce,
            "chainId": self.chain_id,
            "issuedAt": self.issued_at,
            "expiresAt": self.expires_at,
        }


def login_domain_separator(chain_id: int) -> bytes:
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256"],
            [
                _DOMAIN_TYPEHASH,
                keccak(text=LOGIN_DOMAIN_NAME),
                keccak(text=LOGIN_DOMAIN_VERSION),
                chain_id,
            ],
        )
    )


def login_digest(login: Login, *, domain_chain_id: int) -> bytes:
    """The EIP-712 digest of `login` under the sign-in domain of `domain_chain_id`."""
    struct_hash = keccak(
        encode(
            ["bytes32", "address", "bytes32", "bytes32", "uint256", "uint64", "uint64"],
            [
                LOGIN_TYPEHASH,
                to_checksum_address(login.account),
                keccak(text=login.domain),
                keccak(text=login.nonce),
                login.chain_id,
                login.issued_at,
                login.expires_at,
            ],
        )
    )
    return keccak(b"\x19\x01" + login_domain_separator(domain_chain_id) + struct_hash)


def login_typed_data(login: Login) -> dict[str, Any]:
    """The full `eth_signTypedData_v4` payload a wallet signs for `login`."""
    return {
        "types": LOGIN_TYPED_DATA_TYPES,
        "primaryType": "Login",
        "domain": {
            "name": LOGIN_DOMAIN_NAME,
            "version": LOGIN_DOMAIN_VERSION,
            "chainId": login.chain_id,
        },
        "message": login.message(),
    }
