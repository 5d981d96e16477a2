"""EIP-4361 (Sign-In with Ethereum) messages: build, parse and check the fields.

Only what the API needs: the domain, address, URI, version 1, chain id, nonce, issued-at
and the optional expiration / not-before times. The signature is EIP-191 over the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from eth_utils import is_checksum_address

HEADER_SUFFIX = " wants you to sign in with your Ethereum account:"
DEFAULT_STATEMENT = "Sign in to the TEM energy market."


class SiweInvalid(ValueError):
    """The text is not an EIP-4361 message this server accepts; the message says why."""


@dataclass(frozen=True)
class SiweMessage:
    domain: str
    address: str
    statement: str
    uri: str
    version: str
    chain_id: int
    nonce: str
    issued_at: int  # unix seconds
    expiration_time: int | None = None
    not_before: int | None = None

    def text(self) -> str:
        lines = [f"{self.domain}{HEADER_SUFFIX}", self.address, ""]
        if self.statement:
            lines += [self.statement, ""]
        else:
            lines += [""]
        lines += [
            f"URI: {self.uri}",
            f"Version: {self.version}",
            f"Chain ID: {self.chain_id}",
            f"Nonce: {self.nonce}",
            f"Issued At: {_iso(self.issued_at)}",
        ]
        if self.expiration_time is not None:
            lines.append(f"Expiration Time: {_iso(self.expiration_time)}")
        if self.not_before is not None:
            lines.append(f"Not Before: {_iso(self.not_before)}")
        return "\n".join(lines)


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: str, field: str) -> int:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SiweInvalid(f"{field} is not an RFC 3339 time: {value!r}") from None
    if parsed.tzinfo is None:
        raise SiweInvalid(f"{field} needs a time zone")
    return int(parsed.timestamp())


_FIELDS = {
    "URI": "uri",
    "Version": "version",
    "Chain ID": "chain_id",
    "Nonce": "nonce",
    "Issued At": "issued_at",
    "Expiration Time": "expiration_time",
    "Not Before": "not_before",
    "Request ID": "request_id",
}


def parse_siwe(text: str) -> SiweMessage:
    lines = text.replace("\r\n", "\n").split("\n")
    if len(lines) < 4 or not lines[0].endswith(HEADER_SUFFIX):
        raise SiweInvalid("the first line must be '<domain> wants you to sign in with ...'")
    domain = lines[0].removesuffix(HEADER_SUFFIX)
    address = lines[1].strip()
    if not is_checksum_address(address):
        raise SiweInvalid("the second line must be an EIP-55 checksummed address")
    try:
        uri_at = next(i for i, line in enumerate(lines) if line.startswith("URI: "))
    except StopIteration:
        raise SiweInvalid("the message has no 'URI:' line") from None
    statement = "\n".join(lines[2:uri_at]).strip()
    fields: dict[str, str] = {}
    for line in lines[uri_at:]:
        if not line or line.startswith("Resources:") or line.startswith("- "):
            continue
        key, sep, value = line.partition(": ")
        if not sep or key not in _FIELDS:
            raise SiweInvalid(f"unknown line in the message: {line[:60]!r}")
        fields[_FIELDS[key]] = value.strip()
    for required in ("uri", "version", "chain_id", "nonce", "issued_at"):
        if required not in fields:
            raise SiweInvalid(f"the message has no {required.replace('_', ' ')}")
    if fields["version"] != "1":
        raise SiweInvalid("only version 1 messages are accepted")
    try:
        chain_id = int(fields["chain_id"])
    except ValueError:
        raise SiweInvalid("Chain ID must be an integer") from None
    return SiweMessage(
        domain=domain,
        address=address,
        statement=statement,
        uri=fields["uri"],
        version="1",
        chain_id=chain_id,
        nonce=fields["nonce"],
        issued_at=_parse_time(fields["issued_at"], "Issued At"),
        expiration_time=(
            _parse_time(fields["expiration_time"], "Expiration Time")
            if "expiration_time" in fields
            else None
        ),
        not_before=(
            _parse_time(fields["not_before"], "Not Before") if "not_before" in fields else None
        ),
    )
