"""Sending a transaction for the caller: theirs, signed by them, or with a key we hold.

The API never signs with a key that is not the caller's. A client sends the call's
parameters and, normally, the raw transaction it signed; the API checks that the
transaction is from the caller, to the right contract, with exactly the calldata the
parameters give, then broadcasts it and waits for the receipt. On a dev chain whose keys
the server holds (the grid operator's dev account under `tem serve`), the raw
transaction may be left out and the server signs with the caller's own key.
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from hexbytes import HexBytes
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from api.context import ApiContext
from api.problems import Problem
from contracts.errors import ContractRevert, TransactionFailed


def _own_key(ctx: ApiContext, address: str) -> LocalAccount | None:
    return next((a for a in ctx.chain.accounts if a.address == address), None)


def _decode_raw(raw: bytes) -> tuple[str, dict[str, Any]]:
    try:
        sender = Account.recover_transaction(raw)
        if raw[0] < 0x7F:  # typed transaction (EIP-2718)
            from eth_account.typed_transactions import (  # type: ignore[attr-defined]
                TypedTransaction,
            )

            fields = TypedTransaction.from_bytes(HexBytes(raw)).as_dict()
        else:
            import rlp

            _nonce, _gas_price, _gas, to, value, data, *_ = rlp.decode(raw)
            fields = {"to": to, "data": data, "value": int.from_bytes(value, "big")}
    except Exception as exc:  # eth-account raises a zoo of types for malformed bytes
        raise Problem(
            422,
            "transaction-invalid",
            "Not a signed transaction",
            f"{type(exc).__name__}: {exc}"[:200],
            errors=[{"field": "raw_transaction", "in": "body", "message": "not decodable"}],
        ) from None
    return sender, fields


def revert_problem(exc: ContractRevert | TransactionFailed) -> Problem:
    if isinstance(exc, ContractRevert):
        return Problem(409, "chain-revert", f"The contract refused: {exc.name}", str(exc))
    return Problem(409, "chain-revert", "The transaction failed", str(exc))


def send_for(
    ctx: ApiContext, *, caller: str, function: ContractFunction, raw_transaction: str | None
) -> TxReceipt:
    """Send `function` as `caller`; call through `ApiContext.acall` (this blocks)."""
    target = to_checksum_address(function.address)
    expected = HexBytes(function._encode_transaction_data())
    try:
        if raw_transaction is None:
            key = _own_key(ctx, caller)
            if key is None:
                raise Problem(
                    422,
                    "signed-transaction-required",
                    "Send the transaction signed with your key",
                    f"sign a transaction from {caller} to {target} with data "
                    f"{expected.to_0x_hex()} and send it as raw_transaction",
                    errors=[{"field": "raw_transaction", "in": "body", "message": "required"}],
                )
            return ctx.chain.send(function, sender=key)
        try:
            raw = bytes.fromhex(raw_transaction.removeprefix("0x"))
        except ValueError:
            raise Problem(422, "transaction-invalid", "Not hex", "raw_transaction") from None
        sender, fields = _decode_raw(raw)
        if sender != caller:
            raise Problem(403, "transaction-not-yours", "Signed by someone else", f"from {sender}")
        to = fields.get("to")
        if not to or to_checksum_address(to) != target:
            raise Problem(422, "transaction-wrong-target", "Wrong contract", f"must go to {target}")
        if HexBytes(fields.get("data", b"")) != expected or int(fields.get("value", 0)) != 0:
            raise Problem(
                422,
                "transaction-wrong-call",
                "The transaction does not make the call the parameters describe",
                f"expected data {expected.to_0x_hex()}",
            )
        try:
            tx_hash = ctx.chain.w3.eth.send_raw_transaction(raw)
        except ValueError as exc:  # the node refused it: nonce, fees, balance
            raise Problem(
                422, "transaction-rejected", "The node refused it", str(exc)[:200]
            ) from None
        return ctx.chain.wait(tx_hash)
    except (ContractRevert, TransactionFailed) as exc:
        raise revert_problem(exc) from None
