"""Deployment on both local chains: manifest written, re-verified, tampering detected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_utils import keccak

from contracts.artifacts import Artifact, load_artifact
from contracts.chain import Chain
from contracts.deploy import DeployError, Manifest, deploy_suite, load_roles_file


def _deploy(chain: Chain, tmp_path: Path, **kwargs):  # type: ignore[no-untyped-def]
    return deploy_suite(chain, deployer=chain.accounts[0], deployments_dir=tmp_path, **kwargs)


def test_deploy_writes_a_manifest_per_chain_id(chain: Chain, tmp_path: Path) -> None:
    manifest, sent = _deploy(chain, tmp_path, roles={"TREASURY_ROLE": ["dev:1"]})
    assert sent
    path = tmp_path / f"{chain.chain_id}.json"
    assert Manifest.read(path) == manifest
    entry = manifest.contracts["CreditToken"]
    artifact = load_artifact("CreditToken")
    assert entry.abi_sha256 == artifact.abi_hash
    assert artifact.matches_deployed(bytes(chain.w3.eth.get_code(entry.address)))
    assert manifest.roles["CreditToken"]["TREASURY_ROLE"] == [chain.accounts[1].address]
    token = chain.contract("CreditToken", entry.address)
    assert chain.call(
        token.functions.hasRole(keccak(text="TREASURY_ROLE"), chain.accounts[1].address)
    )
    assert not chain.call(
        token.functions.hasRole(keccak(text="TREASURY_ROLE"), chain.accounts[0].address)
    )


def test_rerun_verifies_and_sends_nothing(chain: Chain, tmp_path: Path) -> None:
    first, _ = _deploy(chain, tmp_path, roles={"TREASURY_ROLE": ["dev:1"]})
    nonce = chain.w3.eth.get_transaction_count(chain.accounts[0].address)
    again, sent = _deploy(chain, tmp_path)
    assert not sent and again == first
    assert chain.w3.eth.get_transaction_count(chain.accounts[0].address) == nonce


def test_fresh_deploys_anew(chain: Chain, tmp_path: Path) -> None:
    first, _ = _deploy(chain, tmp_path)
    second, sent = _deploy(chain, tmp_path, fresh=True)
    assert sent and second.address("CreditToken") != first.address("CreditToken")


def test_an_address_with_other_code_is_refused(chain: Chain, tmp_path: Path) -> None:
    _deploy(chain, tmp_path)
    path = tmp_path / f"{chain.chain_id}.json"
    data = json.loads(path.read_text())
    data["contracts"]["CreditToken"]["address"] = chain.accounts[5].address  # an account, no code
    path.write_text(json.dumps(data))
    with pytest.raises(DeployError, match="holds no code .* --fresh"):
        _deploy(chain, tmp_path)


def test_code_that_is_not_the_artifact_is_refused(chain: Chain, tmp_path: Path) -> None:
    _deploy(chain, tmp_path)
    # A tiny contract whose runtime code is 5 bytes: creation code copies and returns it.
    runtime = bytes.fromhex("6001600055")
    creation = bytes.fromhex("6005600c60003960056000f3") + runtime
    other = chain.deploy(Artifact("Other", [], creation, runtime, ()), sender=chain.accounts[0])
    path = tmp_path / f"{chain.chain_id}.json"
    data = json.loads(path.read_text())
    data["contracts"]["CreditToken"]["address"] = other["contractAddress"]
    path.write_text(json.dumps(data))
    with pytest.raises(DeployError, match="is not the current CreditToken artifact"):
        _deploy(chain, tmp_path)


def test_immutables_are_masked_when_comparing_code() -> None:
    artifact = Artifact("X", [], b"", bytes(10), ((2, 4),))
    assert artifact.matches_deployed(bytes([0, 0, 9, 9, 9, 9, 0, 0, 0, 0]))
    assert not artifact.matches_deployed(bytes([1, 0, 9, 9, 9, 9, 0, 0, 0, 0]))
    assert not artifact.matches_deployed(bytes(11))


def test_a_revoked_role_is_detected_on_verify(embedded_chain: Chain, tmp_path: Path) -> None:
    chain = embedded_chain
    manifest, _ = _deploy(chain, tmp_path, roles={"TREASURY_ROLE": ["dev:1"]})
    token = chain.contract("CreditToken", manifest.address("CreditToken"))
    chain.send(
        token.functions.revokeRole(keccak(text="TREASURY_ROLE"), chain.accounts[1].address),
        sender=chain.accounts[0],
    )
    with pytest.raises(DeployError, match="no longer holds TREASURY_ROLE"):
        _deploy(chain, tmp_path)


def test_unknown_roles_and_bad_holders_are_refused(embedded_chain: Chain, tmp_path: Path) -> None:
    with pytest.raises(DeployError, match="TEAPOT_ROLE, which no contract declares"):
        _deploy(embedded_chain, tmp_path, roles={"TEAPOT_ROLE": ["dev:1"]})
    with pytest.raises(DeployError, match="not an address"):
        _deploy(embedded_chain, tmp_path, roles={"TREASURY_ROLE": ["0x1234"]}, fresh=True)
    with pytest.raises(DeployError, match="dev accounts"):
        _deploy(embedded_chain, tmp_path, roles={"TREASURY_ROLE": ["dev:99"]}, fresh=True)


def test_dev_holders_are_refused_on_a_real_network(anvil_node, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from contracts.chain import connect_url

    real = connect_url(anvil_node.url, keys=anvil_node.dev_keys()[:1], local=False)
    with pytest.raises(DeployError, match="not a dev chain"):
        _deploy(real, tmp_path, roles={"TREASURY_ROLE": ["dev:1"]})


def test_roles_file_is_validated(tmp_path: Path) -> None:
    good = tmp_path / "roles.json"
    good.write_text('{"TREASURY_ROLE": ["dev:1", "0x' + "ab" * 20 + '"]}')
    assert load_roles_file(good) == {"TREASURY_ROLE": ["dev:1", "0x" + "ab" * 20]}
    bad = tmp_path / "bad.json"
    bad.write_text('{"TREASURY_ROLE": "dev:1"}')
    with pytest.raises(DeployError, match="must map role names to lists"):
        load_roles_file(bad)
    with pytest.raises(DeployError, match="does not exist"):
        load_roles_file(tmp_path / "missing.json")
