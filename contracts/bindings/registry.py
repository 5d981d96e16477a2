# Generated from contracts/artifacts/Registry.json
# by `python -m contracts.bindings.generate`. Do not edit: change the contract, rebuild,
# regenerate.
"""Typed binding of the `Registry` contract."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from contracts.bindings.base import to_address
from contracts.bindings.common import AccessControlFunctions
from contracts.bindings.events import (
    BatteryPolicySet,
    BatteryRegistered,
    EnvelopeSet,
    FeederAdded,
    FeederLimitsSet,
    MeterActiveSet,
    MeterOwnerChanged,
    MeterRegistered,
    ProsumerRegistered,
    RoleAdminChanged,
    RoleGranted,
    RoleRevoked,
)
from contracts.bindings.structs import Battery, Envelope, Feeder, Meter
from contracts.chain import Chain


class Registry(AccessControlFunctions):
    """`Registry` at an address on a `Chain`."""

    ARTIFACT = "Registry"
    ABI_HASH = "3dba1665529c623d88bd55a2d2c55e510907899e9671b95f802e6badf6ecc695"

    @classmethod
    def deploy(
        cls,
        chain: Chain,
        admin: str,
        grid_import_limit_wh: int,
        grid_export_limit_wh: int,
        *,
        sender: LocalAccount,
    ) -> Registry:
        """Deploy a new Registry and bind it."""
        return cls._deploy(
            chain,
            to_address(admin),
            grid_import_limit_wh,
            grid_export_limit_wh,
            sender=sender,
        )

    def grid_operator_role(self) -> bytes:
        """Call `GRID_OPERATOR_ROLE()`."""
        returned = self._call("GRID_OPERATOR_ROLE")
        return bytes(returned)

    def max_feeders(self) -> int:
        """Call `MAX_FEEDERS()`."""
        returned = self._call("MAX_FEEDERS")
        return int(returned)

    def add_feeder(
        self,
        import_limit_wh: int,
        export_limit_wh: int,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `addFeeder(uint64 importLimitWh, uint64 exportLimitWh)`."""
        return self._send(sender, "addFeeder", import_limit_wh, export_limit_wh)

    def battery(self, battery_id: bytes) -> Battery:
        """Call `battery(bytes32 batteryId)`."""
        returned = self._call("battery", battery_id)
        return Battery.from_abi(returned)

    def envelope_at(self, feeder_id: int, interval: int) -> Envelope:
        """Call `envelopeAt(uint16 feederId, uint64 interval)`."""
        returned = self._call("envelopeAt", feeder_id, interval)
        return Envelope.from_abi(returned)

    def envelopes_at(self, interval: int) -> list[Envelope]:
        """Call `envelopesAt(uint64 interval)`."""
        returned = self._call("envelopesAt", interval)
        return [Envelope.from_abi(x0) for x0 in returned]

    def feeder(self, feeder_id: int) -> Feeder:
        """Call `feeder(uint16 feederId)`."""
        returned = self._call("feeder", feeder_id)
        return Feeder.from_abi(returned)

    def feeder_count(self) -> int:
        """Call `feederCount()`."""
        returned = self._call("feederCount")
        return int(returned)

    def is_prosumer(self, account: str) -> bool:
        """Call `isProsumer(address account)`."""
        returned = self._call("isProsumer", to_address(account))
        return bool(returned)

    def meter(self, meter_id: bytes) -> Meter:
        """Call `meter(bytes32 meterId)`."""
        returned = self._call("meter", meter_id)
        return Meter.from_abi(returned)

    def meter_at(self, index: int) -> tuple[bytes, Meter]:
        """Call `meterAt(uint32 index)`."""
        returned = self._call("meterAt", index)
        return (bytes(returned[0]), Meter.from_abi(returned[1]))

    def meter_count(self) -> int:
        """Call `meterCount()`."""
        returned = self._call("meterCount")
        return int(returned)

    def meter_word(self, meter_id: bytes) -> int:
        """Call `meterWord(bytes32 meterId)`."""
        returned = self._call("meterWord", meter_id)
        return int(returned)

    def register_battery(
        self,
        battery_id: bytes,
        meter_id: bytes,
        capacity_wh: int,
        max_charge_w: int,
        max_discharge_w: int,
        round_trip_efficiency_bps: int,
        self_discharge_wh_per_interval: int,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """
        Send `registerBattery(bytes32 batteryId, bytes32 meterId, uint64 capacityWh, uint32
        maxChargeW, uint32 maxDischargeW, uint16 roundTripEfficiencyBps, uint64
        selfDischargeWhPerInterval)`.
        """
        return self._send(
            sender,
            "registerBattery",
            battery_id,
            meter_id,
            capacity_wh,
            max_charge_w,
            max_discharge_w,
            round_trip_efficiency_bps,
            self_discharge_wh_per_interval,
        )

    def register_meter(
        self,
        meter_id: bytes,
        owner: str,
        feeder_id: int,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `registerMeter(bytes32 meterId, address owner, uint16 feederId)`."""
        return self._send(sender, "registerMeter", meter_id, to_address(owner), feeder_id)

    def register_prosumer(
        self,
        account: str,
        profile_hash: bytes,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `registerProsumer(address account, bytes32 profileHash)`."""
        return self._send(sender, "registerProsumer", to_address(account), profile_hash)

    def set_battery_policy(
        self,
        battery_id: bytes,
        charge_below_price: int,
        discharge_above_price: int,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """
        Send `setBatteryPolicy(bytes32 batteryId, uint64 chargeBelowPrice, uint64
        dischargeAbovePrice)`.
        """
        return self._send(
            sender,
            "setBatteryPolicy",
            battery_id,
            charge_below_price,
            discharge_above_price,
        )

    def set_envelope(
        self,
        feeder_id: int,
        interval: int,
        import_limit_wh: int,
        export_limit_wh: int,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """
        Send `setEnvelope(uint16 feederId, uint64 interval, uint64 importLimitWh, uint64
        exportLimitWh)`.
        """
        return self._send(
            sender,
            "setEnvelope",
            feeder_id,
            interval,
            import_limit_wh,
            export_limit_wh,
        )

    def set_feeder_limits(
        self,
        feeder_id: int,
        import_limit_wh: int,
        export_limit_wh: int,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `setFeederLimits(uint16 feederId, uint64 importLimitWh, uint64 exportLimitWh)`."""
        return self._send(sender, "setFeederLimits", feeder_id, import_limit_wh, export_limit_wh)

    def set_meter_active(self, meter_id: bytes, active: bool, *, sender: LocalAccount) -> TxReceipt:
        """Send `setMeterActive(bytes32 meterId, bool active)`."""
        return self._send(sender, "setMeterActive", meter_id, active)

    def set_meter_owner(
        self,
        meter_id: bytes,
        new_owner: str,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `setMeterOwner(bytes32 meterId, address newOwner)`."""
        return self._send(sender, "setMeterOwner", meter_id, to_address(new_owner))

    def battery_policy_set_events(self, receipt: TxReceipt) -> list[BatteryPolicySet]:
        """The `BatteryPolicySet` events this contract emitted in `receipt`."""
        return [BatteryPolicySet.from_abi(a) for a in self._events("BatteryPolicySet", receipt)]

    def battery_registered_events(self, receipt: TxReceipt) -> list[BatteryRegistered]:
        """The `BatteryRegistered` events this contract emitted in `receipt`."""
        return [BatteryRegistered.from_abi(a) for a in self._events("BatteryRegistered", receipt)]

    def envelope_set_events(self, receipt: TxReceipt) -> list[EnvelopeSet]:
        """The `EnvelopeSet` events this contract emitted in `receipt`."""
        return [EnvelopeSet.from_abi(a) for a in self._events("EnvelopeSet", receipt)]

    def feeder_added_events(self, receipt: TxReceipt) -> list[FeederAdded]:
        """The `FeederAdded` events this contract emitted in `receipt`."""
        return [FeederAdded.from_abi(a) for a in self._events("FeederAdded", receipt)]

    def feeder_limits_set_events(self, receipt: TxReceipt) -> list[FeederLimitsSet]:
        """The `FeederLimitsSet` events this contract emitted in `receipt`."""
        return [FeederLimitsSet.from_abi(a) for a in self._events("FeederLimitsSet", receipt)]

    def meter_active_set_events(self, receipt: TxReceipt) -> list[MeterActiveSet]:
        """The `MeterActiveSet` events this contract emitted in `receipt`."""
        return [MeterActiveSet.from_abi(a) for a in self._events("MeterActiveSet", receipt)]

    def meter_owner_changed_events(self, receipt: TxReceipt) -> list[MeterOwnerChanged]:
        """The `MeterOwnerChanged` events this contract emitted in `receipt`."""
        return [MeterOwnerChanged.from_abi(a) for a in self._events("MeterOwnerChanged", receipt)]

    def meter_registered_events(self, receipt: TxReceipt) -> list[MeterRegistered]:
        """The `MeterRegistered` events this contract emitted in `receipt`."""
        return [MeterRegistered.from_abi(a) for a in self._events("MeterRegistered", receipt)]

    def prosumer_registered_events(self, receipt: TxReceipt) -> list[ProsumerRegistered]:
        """The `ProsumerRegistered` events this contract emitted in `receipt`."""
        return [ProsumerRegistered.from_abi(a) for a in self._events("ProsumerRegistered", receipt)]

    def role_admin_changed_events(self, receipt: TxReceipt) -> list[RoleAdminChanged]:
        """The `RoleAdminChanged` events this contract emitted in `receipt`."""
        return [RoleAdminChanged.from_abi(a) for a in self._events("RoleAdminChanged", receipt)]

    def role_granted_events(self, receipt: TxReceipt) -> list[RoleGranted]:
        """The `RoleGranted` events this contract emitted in `receipt`."""
        return [RoleGranted.from_abi(a) for a in self._events("RoleGranted", receipt)]

    def role_revoked_events(self, receipt: TxReceipt) -> list[RoleRevoked]:
        """The `RoleRevoked` events this contract emitted in `receipt`."""
        return [RoleRevoked.from_abi(a) for a in self._events("RoleRevoked", receipt)]
