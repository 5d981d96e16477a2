"""EIP-2930 access lists of the clearing and the settlement (`contracts/access_lists.py`):
every slot they name is one the transaction touches (anvil's own `eth_createAccessList`
finds it too), and naming them lowers the gas of the same transaction."""

from __future__ import annotations

from typing import Any

from web3.types import TxParams

from contracts.access_lists import clearing_access_list, settlement_access_list
from contracts.eip712 import Side
from contracts.packed import pack_orders
from tests.contracts.community import Community, equilibrium
from tests.contracts.suite import Suite

IMP, FIT = 300, 80


def _slots(access_list: Any) -> set[tuple[str, str]]:
    return {
        (entry["address"].lower(), key.lower() if isinstance(key, str) else "0x" + key.hex())
        for entry in access_list
        for key in entry["storageKeys"]
    }


def _node_list_and_gas(suite: Suite, fn: Any, sender: str, ours: Any) -> tuple[Any, int, int]:
    """The node's own access list for the call, and its gas without and with ours."""
    w3 = suite.chain.w3
    params: TxParams = {"from": sender, "to": fn.address, "data": fn._encode_transaction_data()}
    node = w3.eth.create_access_list(params)
    plain = w3.eth.estimate_gas(params)
    with_ours = w3.eth.estimate_gas({**params, "accessList": ours})
    return node["accessList"], plain, with_ours


def test_the_named_slots_are_the_touched_ones_and_save_gas(anvil_suite: Suite) -> None:
    suite = anvil_suite
    c = Community.create(suite, 8, credit=5_000_000)
    t = c.past_interval()
    book = c.sort(
        [
            c.order(m, Side.BUY if i % 2 == 0 else Side.SELL, 1_000 + i, 150 + 10 * i, t)
            for i, m in enumerate(c.members)
        ]
    )
    c.commit(t, book)
    c.post_tariffs(t, IMP, FIT)
    clearing = equilibrium(t, book, import_tariff=IMP, feed_in_tariff=FIT)
    operator = suite.role("MARKET_OPERATOR_ROLE")
    fn = suite.Market.functions.submitClearing(
        t, clearing.header(), pack_orders(clearing.orders()), True
    )
    ours = clearing_access_list(
        registry=suite.Registry.address,
        ledger=suite.Ledger.address,
        orders=[(e.order.meter_id, e.order.maker, e.order.side, e.fill) for e in clearing.book],
    )
    node, plain, with_ours = _node_list_and_gas(suite, fn, operator.address, ours)
    named = _slots(ours)
    buyers = {e.order.maker for e in clearing.book if e.order.side == Side.BUY and e.fill > 0}
    assert len(named) == len(book) + len(buyers) > len(book)
    assert named <= _slots(node)
    assert with_ours < plain
    receipts = c.submit(clearing, access_list=True)
    assert receipts[0]["gasUsed"] < plain

    c.post_readings(t, [(m.meter_index, 500, 700) for m in c.members])
    positions = clearing.position_list()[0]
    fn = suite.Market.functions.settlePositions(t, 0, clearing.positions()[0])
    ours = settlement_access_list(ledger=suite.Ledger.address, positions=positions)
    node, plain, with_ours = _node_list_and_gas(suite, fn, suite.prosumers[0].address, ours)
    named = _slots(ours)
    assert len(named) == len(positions) > 0
    assert named <= _slots(node)
    assert with_ours < plain
