# Generated from contracts/artifacts/NaiveSettlement.json
# by `python -m contracts.bindings.generate`. Do not edit: change the contract, rebuild,
# regenerate.
"""Typed binding of the `NaiveSettlement` contract."""

from __future__ import annotations

from collections.abc import Sequence

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from contracts.bindings.base import BoundContract, to_address
from contracts.bindings.events import NaiveTradeSettled
from contracts.bindings.structs import Trade
from contracts.chain import Chain


class NaiveSettlement(BoundContract):
    """`NaiveSettlement` at an address on a `Chain`."""

    ARTIFACT = "NaiveSettlement"
    ABI_HASH = "4f37fd543ee701f7bb26cbcfa082c47ae532c393a949a7e53c1fe2739814e29c"

    @classmethod
    def deploy(cls, chain: Chain, credit: str, *, sender: LocalAccount) -> NaiveSettlement:
        """Deploy a new NaiveSettlement and bind it."""
        return cls._deploy(chain, to_address(credit), sender=sender)

    def credit(self) -> str:
        """Call `credit()`."""
        returned = self._call("credit")
        return str(returned)

    def post_readings(
        self,
        interval: int,
        meter_ids: Sequence[bytes],
        import_wh: Sequence[int],
        export_wh: Sequence[int],
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """
        Send `postReadings(uint64 interval, bytes32[] meterIds, uint64[] importWh, uint64[]
        exportWh)`.
        """
        return self._send(
            sender,
            "postReadings",
            interval,
            list(meter_ids),
            list(import_wh),
            list(export_wh),
        )

    def readings(self, interval: int, meter_id: bytes) -> tuple[int, int, bool]:
        """Call `readings(uint64 interval, bytes32 meterId)`."""
        returned = self._call("readings", interval, meter_id)
        return (int(returned[0]), int(returned[1]), bool(returned[2]))

    def settle(self, trades: Sequence[Trade], *, sender: LocalAccount) -> TxReceipt:
        """Send `settle(Trade[] trades)`."""
        return self._send(sender, "settle", [x0.to_abi() for x0 in trades])

    def settled_trades(self, trade_id: bytes) -> int:
        """Call `settledTrades(bytes32 tradeId)`."""
        returned = self._call("settledTrades", trade_id)
        return int(returned)

    def naive_trade_settled_events(self, receipt: TxReceipt) -> list[NaiveTradeSettled]:
        """The `NaiveTradeSettled` events this contract emitted in `receipt`."""
        return [NaiveTradeSettled.from_abi(a) for a in self._events("NaiveTradeSettled", receipt)]
