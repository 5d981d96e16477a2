"""Settings: one value picks the chain; bad values are one-line errors; secrets stay secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account

from tem.errors import ConfigError
from tem.keys import configured_keys
from tem.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "TEM_CHAIN",
        "TEM_CHAIN_ID",
        "TEM_DEPLOYER_KEY",
        "TEM_ENVIRONMENT",
        "TEM_KEYSTORE_FILE",
        "TEM_KEYSTORE_PASSWORD",
        "TEM_NATS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("embedded", "embedded"),
        ("anvil", "anvil"),
        ("http://10.0.0.5:8545", "url"),
        ("https://volta-rpc.example.org", "url"),
        ("wss://node.example.org/ws", "url"),
    ],
)
def test_one_value_picks_the_chain(monkeypatch: pytest.MonkeyPatch, value: str, kind: str) -> None:
    monkeypatch.setenv("TEM_CHAIN", value)
    assert load_settings().chain_kind == kind


@pytest.mark.parametrize("value", ["", "ganache", "ftp://x", "http://"])
def test_a_wrong_chain_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TEM_CHAIN", value)
    with pytest.raises(ConfigError, match="^TEM_CHAIN: .* is not a chain") as caught:
        load_settings()
    assert "\n" not in str(caught.value)


def test_default_is_the_local_anvil_and_nats() -> None:
    settings = load_settings()
    assert settings.chain == "anvil" and settings.nats == "local"


def test_production_refuses_to_run_without_a_real_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEM_ENVIRONMENT", "production")
    monkeypatch.setenv("TEM_CHAIN", "https://besu.example.org")
    with pytest.raises(ConfigError, match="TEM_DEPLOYER_KEY or TEM_KEYSTORE_FILE"):
        load_settings()
    monkeypatch.setenv("TEM_CHAIN", "anvil")
    monkeypatch.setenv("TEM_DEPLOYER_KEY", "0x" + "11" * 32)
    with pytest.raises(ConfigError, match="production needs TEM_CHAIN to be a node URL"):
        load_settings()


def test_a_secret_never_appears_in_repr_or_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "0x" + "ab" * 32
    monkeypatch.setenv("TEM_DEPLOYER_KEY", secret)
    settings = load_settings()
    assert secret not in repr(settings)
    assert secret not in settings.model_dump_json()
    assert secret[2:] not in json.dumps(settings.model_dump(mode="json"))
    assert configured_keys(settings) == [bytes.fromhex(secret[2:])]


def test_a_malformed_key_is_refused_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEM_DEPLOYER_KEY", "not-a-key-but-secret")
    with pytest.raises(Exception, match="TEM_DEPLOYER_KEY is not a 32-byte") as caught:
        configured_keys(load_settings())
    assert "not-a-key-but-secret" not in str(caught.value)


def test_keys_come_from_an_encrypted_keystore(tmp_path: Path) -> None:
    account = Account.create()
    keystore = tmp_path / "operator.json"
    keystore.write_text(json.dumps(Account.encrypt(account.key, "correct horse")))
    settings = Settings(keystore_file=keystore, keystore_password="correct horse")
    assert configured_keys(settings) == [bytes(account.key)]
    wrong = Settings(keystore_file=keystore, keystore_password="wrong")
    with pytest.raises(Exception, match="does not open"):
        configured_keys(wrong)
