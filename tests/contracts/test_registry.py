"""Registry: prosumers, meters, feeders, envelopes and batteries, every function and revert."""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from tests.contracts.suite import Suite

MAX64 = 2**64 - 1
METER = keccak(text="meter-1")
BATTERY = keccak(text="battery-1")


def _onboard(suite: Suite) -> tuple[str, int]:
    reg, grid = suite.Registry, suite.grid
    owner = suite.prosumers[0].address
    suite.send(reg.functions.registerProsumer(owner, keccak(text="profile")), grid)
    suite.send(reg.functions.addFeeder(5_000, 7_000), grid)
    suite.send(reg.functions.registerMeter(METER, owner, 1), grid)
    return owner, 1


def test_prosumer_meter_and_feeder_lifecycle(suite: Suite) -> None:
    reg, grid = suite.Registry, suite.grid
    a, b = (p.address for p in suite.prosumers)
    receipt = suite.send(reg.functions.registerProsumer(a, keccak(text="A")), grid)
    assert suite.events(reg, "ProsumerRegistered", receipt) == [
        {"account": a, "profileHash": keccak(text="A")}
    ]
    assert suite.call(reg.functions.isProsumer(a)) and not suite.call(reg.functions.isProsumer(b))
    assert suite.call(reg.functions.feederCount()) == 0
    assert tuple(suite.call(reg.functions.feeder(0))) == (
        MAX64,
        MAX64,
        True,
    )  # the connection point

    receipt = suite.send(reg.functions.addFeeder(5_000, 7_000), grid)
    assert suite.events(reg, "FeederAdded", receipt)[0] == {
        "feederId": 1,
        "importLimitWh": 5_000,
        "exportLimitWh": 7_000,
    }
    receipt = suite.send(reg.functions.registerMeter(METER, a, 1), grid)
    assert suite.events(reg, "MeterRegistered", receipt)[0] == {
        "meterId": METER,
        "owner": a,
        "feederId": 1,
        "index": 0,
    }
    second = keccak(text="meter-2")
    suite.send(reg.functions.registerMeter(second, a, 1), grid)
    assert tuple(suite.call(reg.functions.meter(second))) == (a, 1, 1, True)
    assert suite.call(reg.functions.meterCount()) == 2
    meter_id, record = suite.call(reg.functions.meterAt(1))
    assert meter_id == second and tuple(record) == (a, 1, 1, True)

    suite.send(reg.functions.registerProsumer(b, keccak(text="B")), grid)
    receipt = suite.send(reg.functions.setMeterOwner(METER, b), grid)
    assert suite.events(reg, "MeterOwnerChanged", receipt)[0] == {
        "meterId": METER,
        "previousOwner": a,
        "newOwner": b,
    }
    receipt = suite.send(reg.functions.setMeterActive(METER, False), grid)
    assert suite.events(reg, "MeterActiveSet", receipt)[0] == {"meterId": METER, "active": False}
    assert tuple(suite.call(reg.functions.meter(METER))) == (b, 1, 0, False)


def test_envelopes_default_to_the_feeder_limits_and_can_be_set_per_interval(suite: Suite) -> None:
    reg, grid = suite.Registry, suite.grid
    _onboard(suite)
    receipt = suite.send(reg.functions.setFeederLimits(1, 4_000, 6_000), grid)
    assert suite.events(reg, "FeederLimitsSet", receipt)[0]["exportLimitWh"] == 6_000
    suite.send(reg.functions.setFeederLimits(0, 100_000, 50_000), grid)  # the grid connection
    receipt = suite.send(reg.functions.setEnvelope(1, 42, 1_000, 0), grid)
    assert suite.events(reg, "EnvelopeSet", receipt)[0] == {
        "feederId": 1,
        "interval": 42,
        "importLimitWh": 1_000,
        "exportLimitWh": 0,
    }
    assert tuple(suite.call(reg.functions.envelopeAt(1, 42))) == (1_000, 0)
    assert tuple(suite.call(reg.functions.envelopeAt(1, 43))) == (4_000, 6_000)
    assert [tuple(e) for e in suite.call(reg.functions.envelopesAt(42))] == [
        (100_000, 50_000),
        (1_000, 0),
    ]
    assert [tuple(e) for e in suite.call(reg.functions.envelopesAt(7))] == [
        (100_000, 50_000),
        (4_000, 6_000),
    ]


def test_batteries_and_their_owner_policy(suite: Suite) -> None:
    reg, grid = suite.Registry, suite.grid
    owner, _ = _onboard(suite)
    receipt = suite.send(
        reg.functions.registerBattery(BATTERY, METER, 10_000, 5_000, 4_000, 9_000, 10), grid
    )
    assert suite.events(reg, "BatteryRegistered", receipt)[0] == {
        "batteryId": BATTERY,
        "owner": owner,
        "meterId": METER,
        "capacityWh": 10_000,
    }
    assert tuple(suite.call(reg.functions.battery(BATTERY))) == (
        owner,
        9_000,
        5_000,
        4_000,
        METER,
        10_000,
        10,
        0,
        MAX64,
    )
    receipt = suite.send(reg.functions.setBatteryPolicy(BATTERY, 80, 250), suite.prosumers[0])
    assert suite.events(reg, "BatteryPolicySet", receipt)[0] == {
        "batteryId": BATTERY,
        "chargeBelowPrice": 80,
        "dischargeAbovePrice": 250,
    }
    assert tuple(suite.call(reg.functions.battery(BATTERY)))[7:] == (80, 250)


def test_registry_revert_paths(suite: Suite) -> None:
    reg, grid = suite.Registry, suite.grid
    stranger = suite.prosumers[1]
    zero = "0x" + "00" * 20
    owner, _ = _onboard(suite)

    def err(fn: Any, sender: LocalAccount = grid) -> tuple[str, tuple[Any, ...]]:
        e = suite.reverts(fn, sender)
        return e.name, e.args_

    assert err(reg.functions.registerProsumer(stranger.address, b"\0" * 32), stranger)[0] == (
        "AccessControlUnauthorizedAccount"
    )
    assert err(reg.functions.registerProsumer(zero, b"\0" * 32)) == ("RegistryZeroId", ())
    assert err(reg.functions.registerProsumer(owner, b"\0" * 32)) == (
        "RegistryProsumerExists",
        (owner.lower(),),
    )
    assert err(reg.functions.registerMeter(b"\0" * 32, owner, 1)) == ("RegistryZeroId", ())
    assert err(reg.functions.registerMeter(METER, owner, 1)) == ("RegistryMeterExists", (METER,))
    other = keccak(text="other")
    assert err(reg.functions.registerMeter(other, stranger.address, 1)) == (
        "RegistryProsumerUnknown",
        (stranger.address.lower(),),
    )
    assert err(reg.functions.registerMeter(other, owner, 0)) == ("RegistryFeederUnknown", (0,))
    assert err(reg.functions.registerMeter(other, owner, 2)) == ("RegistryFeederUnknown", (2,))
    assert err(reg.functions.setMeterOwner(other, owner)) == ("RegistryMeterUnknown", (other,))
    assert err(reg.functions.setMeterOwner(METER, stranger.address))[0] == "RegistryProsumerUnknown"
    assert err(reg.functions.setMeterActive(other, False))[0] == "RegistryMeterUnknown"
    assert (
        err(reg.functions.setMeterActive(METER, False), stranger)[0]
        == "AccessControlUnauthorizedAccount"
    )
    assert err(reg.functions.setFeederLimits(3, 1, 1)) == ("RegistryFeederUnknown", (3,))
    assert err(reg.functions.setEnvelope(3, 1, 1, 1)) == ("RegistryFeederUnknown", (3,))
    assert err(reg.functions.addFeeder(1, 1), stranger)[0] == "AccessControlUnauthorizedAccount"
    assert suite.call_reverts(reg.functions.meter(other)).name == "RegistryMeterUnknown"
    e = suite.call_reverts(reg.functions.meterAt(5))
    assert (e.name, e.args_) == ("RegistryMeterIndexUnknown", (5,))
    e = suite.call_reverts(reg.functions.battery(other))
    assert (e.name, e.args_) == ("RegistryBatteryUnknown", (other,))
    e = suite.call_reverts(reg.functions.feeder(9))
    assert (e.name, e.args_) == ("RegistryFeederUnknown", (9,))

    battery = reg.functions.registerBattery
    assert err(battery(b"\0" * 32, METER, 1, 1, 1, 1, 0)) == ("RegistryZeroId", ())
    assert err(battery(BATTERY, METER, 0, 1, 1, 9_000, 0)) == ("RegistryBatteryInvalid", (0, 9_000))
    assert err(battery(BATTERY, METER, 1, 1, 1, 0, 0)) == ("RegistryBatteryInvalid", (1, 0))
    assert err(battery(BATTERY, METER, 1, 1, 1, 10_001, 0)) == (
        "RegistryBatteryInvalid",
        (1, 10_001),
    )
    assert err(battery(BATTERY, other, 1, 1, 1, 9_000, 0)) == ("RegistryMeterUnknown", (other,))
    suite.send(battery(BATTERY, METER, 1, 1, 1, 10_000, 0), grid)
    assert err(battery(BATTERY, METER, 1, 1, 1, 9_000, 0)) == ("RegistryBatteryExists", (BATTERY,))
    policy = reg.functions.setBatteryPolicy
    assert err(policy(BATTERY, 1, 2), stranger) == (
        "RegistryNotBatteryOwner",
        (BATTERY, stranger.address.lower()),
    )
    assert err(policy(BATTERY, 5, 5), suite.prosumers[0]) == (
        "RegistryBatteryPolicyInvalid",
        (5, 5),
    )
    assert err(policy(other, 1, 2), suite.prosumers[0]) == ("RegistryBatteryUnknown", (other,))


def test_feeder_count_is_bounded_for_the_clearing_loop(suite: Suite) -> None:
    reg, grid = suite.Registry, suite.grid
    limit = suite.call(reg.functions.MAX_FEEDERS())
    for _ in range(limit):
        suite.send(reg.functions.addFeeder(1, 1), grid)
    e = suite.reverts(reg.functions.addFeeder(1, 1), grid)
    assert (e.name, e.args_) == ("RegistryFeederLimitReached", (limit,))
