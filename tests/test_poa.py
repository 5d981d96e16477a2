"""Connecting to a Proof-of-Authority network: long extraData, legacy gas, chain id checks."""

from __future__ import annotations

import pytest
import rlp
from web3 import HTTPProvider, Web3
from web3.exceptions import ExtraDataLengthError

from contracts.chain import connect_url
from contracts.errors import ChainIdMismatch, ChainUnreachable
from contracts.providers import redact_url
from tests.poa_node import PoANode, qbft_extra_data

VALIDATORS = [bytes([i]) * 20 for i in range(1, 5)]  # 4 validators, like the compose file


def test_qbft_extra_data_has_besus_structure() -> None:
    extra = qbft_extra_data(VALIDATORS)
    vanity, validators, vote, round_number, seals = rlp.decode(extra)
    assert vanity == b"\0" * 32 and validators == VALIDATORS
    assert vote == [] and int.from_bytes(round_number, "big") == 0
    assert [len(s) for s in seals] == [65, 65, 65]
    assert len(extra) > 32


def test_a_qbft_chain_connects_with_legacy_gas() -> None:
    with PoANode(chain_id=1337, validators=VALIDATORS) as node:
        chain = connect_url(node.url, expected_chain_id=1337)
        assert chain.chain_id == 1337
        assert chain.fee_model == "legacy"  # a free-gas QBFT network has no base fee
        block = chain.w3.eth.get_block("latest")
        assert block["number"] == 41
        assert bytes(block["proofOfAuthorityData"]) == qbft_extra_data(VALIDATORS)


def test_without_the_poa_middleware_web3_refuses_the_block() -> None:
    """Proves the middleware is what makes PoA blocks readable (the test can fail)."""
    with PoANode(chain_id=1337, validators=VALIDATORS) as node:
        plain = Web3(HTTPProvider(node.url))
        with pytest.raises(ExtraDataLengthError):
            plain.eth.get_block("latest")


def test_an_eip1559_poa_chain_is_detected() -> None:
    with PoANode(chain_id=73799, validators=VALIDATORS, base_fee=7) as node:
        assert connect_url(node.url).fee_model == "eip1559"


def test_chain_id_mismatch_names_both_ids() -> None:
    with (
        PoANode(chain_id=246, validators=VALIDATORS) as node,
        pytest.raises(ChainIdMismatch, match="serves chain id 246, but TEM_CHAIN_ID is 73799"),
    ):
        connect_url(node.url, expected_chain_id=73799)


def test_an_unreachable_node_is_one_line() -> None:
    with pytest.raises(
        ChainUnreachable, match=r"cannot reach the chain node at http://127\.0\.0\.1:9"
    ):
        connect_url("http://127.0.0.1:9", timeout_s=1)


def test_node_urls_are_shown_without_credentials() -> None:
    assert (
        redact_url("https://user:pw@rpc.example.org/v3/SECRETKEY?x=1")
        == "https://rpc.example.org/…"
    )
    assert redact_url("http://127.0.0.1:8545") == "http://127.0.0.1:8545"


def test_websocket_urls_work_against_anvil(anvil_node) -> None:  # type: ignore[no-untyped-def]
    chain = connect_url(anvil_node.url.replace("http://", "ws://"), keys=anvil_node.dev_keys()[:1])
    assert chain.chain_id == 31337
    assert chain.w3.eth.get_balance(chain.accounts[0].address) > 0
