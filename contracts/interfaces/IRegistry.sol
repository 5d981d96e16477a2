// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title Registry of the community: prosumers, meters, feeders and their envelopes, batteries
/// @notice The grid operator (`GRID_OPERATOR_ROLE`) onboards prosumers, installs meters on
///         feeders, sets each feeder's operating envelope (import and export limit in Wh per
///         interval, with per-interval overrides) and registers batteries; a battery's owner
///         sets its price policy. Feeder 0 is the connection point to the upstream grid, and
///         its envelope is the grid connection's limit.
interface IRegistry {
    /// @notice A meter, packed in one storage slot (what the Market reads per order).
    struct Meter {
        address owner;
        uint16 feederId;
        uint32 index; // position in registration order, used to key packed per-meter data
        bool active;
    }

    /// @notice A feeder's default envelope. Feeder 0 (the connection point) always exists.
    struct Feeder {
        uint64 importLimitWh; // most energy the feeder may take from the connection point per interval
        uint64 exportLimitWh; // most energy the feeder may push to the connection point per interval
        bool exists;
    }

    /// @notice The limits in force for one feeder in one interval.
    struct Envelope {
        uint64 importLimitWh;
        uint64 exportLimitWh;
    }

    /// @notice A registered battery and its owner's price policy.
    struct Battery {
        address owner;
        uint16 roundTripEfficiencyBps; // 10,000 = lossless
        uint32 maxChargeW;
        uint32 maxDischargeW;
        bytes32 meterId; // the meter the battery sits behind
        uint64 capacityWh;
        uint64 selfDischargeWhPerInterval;
        uint64 chargeBelowPrice; // credit units per kWh; charge when the local price is strictly below
        uint64 dischargeAbovePrice; // credit units per kWh; discharge when the price is strictly above
    }

    /// @notice A prosumer was onboarded.
    event ProsumerRegistered(address indexed account, bytes32 profileHash);
    /// @notice A meter was installed on a feeder.
    event MeterRegistered(bytes32 indexed meterId, address indexed owner, uint16 feederId, uint32 index);
    /// @notice A meter changed hands.
    event MeterOwnerChanged(bytes32 indexed meterId, address indexed previousOwner, address indexed newOwner);
    /// @notice A meter was switched off (or on again) for trading.
    event MeterActiveSet(bytes32 indexed meterId, bool active);
    /// @notice A feeder was added with its default envelope.
    event FeederAdded(uint16 indexed feederId, uint64 importLimitWh, uint64 exportLimitWh);
    /// @notice A feeder's default envelope changed.
    event FeederLimitsSet(uint16 indexed feederId, uint64 importLimitWh, uint64 exportLimitWh);
    /// @notice A feeder's envelope for one interval was set.
    event EnvelopeSet(uint16 indexed feederId, uint64 indexed interval, uint64 importLimitWh, uint64 exportLimitWh);
    /// @notice A battery was registered behind a meter.
    event BatteryRegistered(bytes32 indexed batteryId, address indexed owner, bytes32 indexed meterId, uint64 capacityWh);
    /// @notice A battery owner changed the price policy.
    event BatteryPolicySet(bytes32 indexed batteryId, uint64 chargeBelowPrice, uint64 dischargeAbovePrice);

    /// @notice A zero id or the zero address was given.
    error RegistryZeroId();
    /// @notice The account is already a prosumer.
    error RegistryProsumerExists(address account);
    /// @notice The account is not a registered prosumer.
    error RegistryProsumerUnknown(address account);
    /// @notice The meter id is taken.
    error RegistryMeterExists(bytes32 meterId);
    /// @notice No meter has this id.
    error RegistryMeterUnknown(bytes32 meterId);
    /// @notice No meter has this index.
    error RegistryMeterIndexUnknown(uint32 index);
    /// @notice No feeder has this id (or a meter was put on the connection point, feeder 0).
    error RegistryFeederUnknown(uint16 feederId);
    /// @notice The registry already has the most feeders the Market's clearing loop accepts.
    error RegistryFeederLimitReached(uint16 maxFeeders);
    /// @notice The battery id is taken.
    error RegistryBatteryExists(bytes32 batteryId);
    /// @notice No battery has this id.
    error RegistryBatteryUnknown(bytes32 batteryId);
    /// @notice Round-trip efficiency must be in (0, 10,000] basis points and capacity positive.
    error RegistryBatteryInvalid(uint64 capacityWh, uint16 roundTripEfficiencyBps);
    /// @notice Only the battery's owner may do this.
    error RegistryNotBatteryOwner(bytes32 batteryId, address caller);
    /// @notice A policy must charge strictly below the price at which it discharges.
    error RegistryBatteryPolicyInvalid(uint64 chargeBelowPrice, uint64 dischargeAbovePrice);

    /// @notice Onboards `account` as a prosumer.
    /// @dev Only `GRID_OPERATOR_ROLE`.
    /// @param account The prosumer's address.
    /// @param profileHash Hash of the off-chain profile (contract, address of supply).
    function registerProsumer(address account, bytes32 profileHash) external;

    /// @notice Installs meter `meterId`, owned by a registered prosumer, on feeder `feederId`.
    /// @dev Only `GRID_OPERATOR_ROLE`. The meter's index is the number of meters before it.
    /// @param meterId The meter's id (e.g. keccak256 of its serial number).
    /// @param owner A registered prosumer.
    /// @param feederId An existing feeder other than the connection point.
    function registerMeter(bytes32 meterId, address owner, uint16 feederId) external;

    /// @notice Hands meter `meterId` to another registered prosumer.
    /// @dev Only `GRID_OPERATOR_ROLE`.
    function setMeterOwner(bytes32 meterId, address newOwner) external;

    /// @notice Switches a meter on or off for trading (readings are still accepted).
    /// @dev Only `GRID_OPERATOR_ROLE`.
    function setMeterActive(bytes32 meterId, bool active) external;

    /// @notice Adds the next feeder (ids count up from 1) with its default envelope.
    /// @dev Only `GRID_OPERATOR_ROLE`.
    /// @return feederId The new feeder's id.
    function addFeeder(uint64 importLimitWh, uint64 exportLimitWh) external returns (uint16 feederId);

    /// @notice Sets a feeder's default envelope (feeder 0: the grid connection).
    /// @dev Only `GRID_OPERATOR_ROLE`.
    function setFeederLimits(uint16 feederId, uint64 importLimitWh, uint64 exportLimitWh) external;

    /// @notice Sets a feeder's envelope for one interval, overriding its default.
    /// @dev Only `GRID_OPERATOR_ROLE`.
    function setEnvelope(uint16 feederId, uint64 interval, uint64 importLimitWh, uint64 exportLimitWh) external;

    /// @notice Registers a battery behind a meter; its owner is the meter's owner.
    /// @dev Only `GRID_OPERATOR_ROLE` (the connection agreement). The policy starts disabled
    ///      (charge below 0, discharge above the largest price).
    function registerBattery(
        bytes32 batteryId,
        bytes32 meterId,
        uint64 capacityWh,
        uint32 maxChargeW,
        uint32 maxDischargeW,
        uint16 roundTripEfficiencyBps,
        uint64 selfDischargeWhPerInterval
    ) external;

    /// @notice Sets the price policy of the caller's battery.
    /// @param chargeBelowPrice Charge when the local price is strictly below (credit units per kWh).
    /// @param dischargeAbovePrice Discharge when the local price is at or above.
    function setBatteryPolicy(bytes32 batteryId, uint64 chargeBelowPrice, uint64 dischargeAbovePrice) external;

    /// @notice Whether `account` is a registered prosumer.
    function isProsumer(address account) external view returns (bool);

    /// @notice Meter `meterId`; reverts with `RegistryMeterUnknown` if there is none.
    function meter(bytes32 meterId) external view returns (Meter memory);

    /// @notice The id and record of the meter with index `index`.
    function meterAt(uint32 index) external view returns (bytes32 meterId, Meter memory);

    /// @notice A meter's storage word as it is packed: owner in bits 0..159, feeder id in
    ///         160..175, index in 176..207, active in 208..215; zero for an unknown meter.
    /// @dev What the Market reads while clearing: one cold storage read per meter and no
    ///      ABI struct decoding. Batch form: with more meter ids appended to the calldata
    ///      (32 bytes each, after `meterId`), the call returns the raw words of all of them,
    ///      one 32-byte word per id in calldata order, so a clearing chunk reads its meters in
    ///      one call (the ABI stays `meterWord(bytes32) returns (uint256)`).
    function meterWord(bytes32 meterId) external view returns (uint256 word);

    /// @notice Number of meters ever registered (indices are `0 .. meterCount() - 1`).
    function meterCount() external view returns (uint32);

    /// @notice Number of feeders besides the connection point (ids `1 .. feederCount()`).
    function feederCount() external view returns (uint16);

    /// @notice Feeder `feederId`'s default envelope.
    function feeder(uint16 feederId) external view returns (Feeder memory);

    /// @notice The envelope in force for `feederId` in `interval`.
    function envelopeAt(uint16 feederId, uint64 interval) external view returns (Envelope memory);

    /// @notice The envelopes of the connection point (index 0) and every feeder in `interval`.
    function envelopesAt(uint64 interval) external view returns (Envelope[] memory);

    /// @notice Battery `batteryId`; reverts with `RegistryBatteryUnknown` if there is none.
    function battery(bytes32 batteryId) external view returns (Battery memory);
}
