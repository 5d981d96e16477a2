// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IRegistry} from "./interfaces/IRegistry.sol";

/// @title Registry
/// @notice Who and what takes part in the market. Thin storage contract: the Market reads a
///         meter in one slot per order and all envelopes in one call per clearing.
contract Registry is AccessControl, IRegistry {
    /// @notice Role of the distribution system operator.
    bytes32 public constant GRID_OPERATOR_ROLE = keccak256("GRID_OPERATOR_ROLE");

    /// @notice Most feeders besides the connection point: bounds the clearing's per-feeder loops.
    uint16 public constant MAX_FEEDERS = 64;

    struct EnvelopeOverride {
        uint64 importLimitWh;
        uint64 exportLimitWh;
        bool set;
    }

    mapping(address account => bytes32 profileHash) private _prosumers;
    mapping(address account => bool) private _isProsumer;
    mapping(bytes32 meterId => Meter) private _meters;
    bytes32[] private _meterIds;
    mapping(uint16 feederId => Feeder) private _feeders;
    uint16 private _feederCount;
    mapping(uint16 feederId => mapping(uint64 interval => EnvelopeOverride)) private _envelopes;
    mapping(bytes32 batteryId => Battery) private _batteries;

    /// @param admin Receives `DEFAULT_ADMIN_ROLE`.
    /// @param gridImportLimitWh Default import limit of the grid connection per interval.
    /// @param gridExportLimitWh Default export limit of the grid connection per interval.
    constructor(address admin, uint64 gridImportLimitWh, uint64 gridExportLimitWh) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _feeders[0] = Feeder({importLimitWh: gridImportLimitWh, exportLimitWh: gridExportLimitWh, exists: true});
        emit FeederAdded(0, gridImportLimitWh, gridExportLimitWh);
    }

    // -- prosumers and meters -----------------------------------------------------------------

    /// @inheritdoc IRegistry
    function registerProsumer(address account, bytes32 profileHash) external onlyRole(GRID_OPERATOR_ROLE) {
        if (account == address(0)) revert RegistryZeroId();
        if (_isProsumer[account]) revert RegistryProsumerExists(account);
        _isProsumer[account] = true;
        _prosumers[account] = profileHash;
        emit ProsumerRegistered(account, profileHash);
    }

    /// @inheritdoc IRegistry
    function registerMeter(bytes32 meterId, address owner, uint16 feederId) external onlyRole(GRID_OPERATOR_ROLE) {
        if (meterId == bytes32(0)) revert RegistryZeroId();
        if (_meters[meterId].owner != address(0)) revert RegistryMeterExists(meterId);
        if (!_isProsumer[owner]) revert RegistryProsumerUnknown(owner);
        if (feederId == 0 || !_feeders[feederId].exists) revert RegistryFeederUnknown(feederId);
        uint32 index = uint32(_meterIds.length);
        _meters[meterId] = Meter({owner: owner, feederId: feederId, index: index, active: true});
        _meterIds.push(meterId);
        emit MeterRegistered(meterId, owner, feederId, index);
    }

    /// @inheritdoc IRegistry
    function setMeterOwner(bytes32 meterId, address newOwner) external onlyRole(GRID_OPERATOR_ROLE) {
        Meter storage m = _meter(meterId);
        if (!_isProsumer[newOwner]) revert RegistryProsumerUnknown(newOwner);
        address previous = m.owner;
        m.owner = newOwner;
        emit MeterOwnerChanged(meterId, previous, newOwner);
    }

    /// @inheritdoc IRegistry
    function setMeterActive(bytes32 meterId, bool active) external onlyRole(GRID_OPERATOR_ROLE) {
        _meter(meterId).active = active;
        emit MeterActiveSet(meterId, active);
    }

    // -- feeders and envelopes -----------------------------------------------------------------

    /// @inheritdoc IRegistry
    function addFeeder(uint64 importLimitWh, uint64 exportLimitWh)
        external
        onlyRole(GRID_OPERATOR_ROLE)
        returns (uint16 feederId)
    {
        if (_feederCount >= MAX_FEEDERS) revert RegistryFeederLimitReached(MAX_FEEDERS);
        feederId = ++_feederCount;
        _feeders[feederId] = Feeder({importLimitWh: importLimitWh, exportLimitWh: exportLimitWh, exists: true});
        emit FeederAdded(feederId, importLimitWh, exportLimitWh);
    }

    /// @inheritdoc IRegistry
    function setFeederLimits(uint16 feederId, uint64 importLimitWh, uint64 exportLimitWh)
        external
        onlyRole(GRID_OPERATOR_ROLE)
    {
        Feeder storage f = _feeder(feederId);
        f.importLimitWh = importLimitWh;
        f.exportLimitWh = exportLimitWh;
        emit FeederLimitsSet(feederId, importLimitWh, exportLimitWh);
    }

    /// @inheritdoc IRegistry
    function setEnvelope(uint16 feederId, uint64 interval, uint64 importLimitWh, uint64 exportLimitWh)
        external
        onlyRole(GRID_OPERATOR_ROLE)
    {
        _feeder(feederId);
        _envelopes[feederId][interval] =
            EnvelopeOverride({importLimitWh: importLimitWh, exportLimitWh: exportLimitWh, set: true});
        emit EnvelopeSet(feederId, interval, importLimitWh, exportLimitWh);
    }

    // -- batteries -----------------------------------------------------------------------------

    /// @inheritdoc IRegistry
    function registerBattery(
        bytes32 batteryId,
        bytes32 meterId,
        uint64 capacityWh,
        uint32 maxChargeW,
        uint32 maxDischargeW,
        uint16 roundTripEfficiencyBps,
        uint64 selfDischargeWhPerInterval
    ) external onlyRole(GRID_OPERATOR_ROLE) {
        if (batteryId == bytes32(0)) revert RegistryZeroId();
        if (_batteries[batteryId].owner != address(0)) revert RegistryBatteryExists(batteryId);
        if (capacityWh == 0 || roundTripEfficiencyBps == 0 || roundTripEfficiencyBps > 10_000) {
            revert RegistryBatteryInvalid(capacityWh, roundTripEfficiencyBps);
        }
        address owner = _meter(meterId).owner;
        _batteries[batteryId] = Battery({
            owner: owner,
            roundTripEfficiencyBps: roundTripEfficiencyBps,
            maxChargeW: maxChargeW,
            maxDischargeW: maxDischargeW,
            meterId: meterId,
            capacityWh: capacityWh,
            selfDischargeWhPerInterval: selfDischargeWhPerInterval,
            chargeBelowPrice: 0,
            dischargeAbovePrice: type(uint64).max
        });
        emit BatteryRegistered(batteryId, owner, meterId, capacityWh);
    }

    /// @inheritdoc IRegistry
    function setBatteryPolicy(bytes32 batteryId, uint64 chargeBelowPrice, uint64 dischargeAbovePrice) external {
        Battery storage b = _battery(batteryId);
        if (b.owner != msg.sender) revert RegistryNotBatteryOwner(batteryId, msg.sender);
        if (chargeBelowPrice >= dischargeAbovePrice) {
            revert RegistryBatteryPolicyInvalid(chargeBelowPrice, dischargeAbovePrice);
        }
        b.chargeBelowPrice = chargeBelowPrice;
        b.dischargeAbovePrice = dischargeAbovePrice;
        emit BatteryPolicySet(batteryId, chargeBelowPrice, dischargeAbovePrice);
    }

    // -- views ---------------------------------------------------------------------------------

    /// @inheritdoc IRegistry
    function isProsumer(address account) external view returns (bool) {
        return _isProsumer[account];
    }

    /// @inheritdoc IRegistry
    function meter(bytes32 meterId) external view returns (Meter memory) {
        return _meter(meterId);
    }

    /// @inheritdoc IRegistry
    function meterAt(uint32 index) external view returns (bytes32 meterId, Meter memory) {
        if (index >= _meterIds.length) revert RegistryMeterIndexUnknown(index);
        meterId = _meterIds[index];
        return (meterId, _meters[meterId]);
    }

    /// @inheritdoc IRegistry
    function meterWord(bytes32 meterId) external view returns (uint256 word) {
        Meter storage m = _meters[meterId];
        assembly ("memory-safe") {
            // the batch form: more ids appended, one raw word each (32 bytes an id; a partial
            // tail is ignored), returned without ABI encoding around them
            if iszero(gt(calldatasize(), 36)) { word := sload(m.slot) }
            if gt(calldatasize(), 36) {
                let out := mload(0x40)
                let size := shl(5, shr(5, sub(calldatasize(), 4)))
                mstore(0x20, _meters.slot)
                for { let i := 0 } lt(i, size) { i := add(i, 0x20) } {
                    mstore(0x00, calldataload(add(4, i)))
                    mstore(add(out, i), sload(keccak256(0x00, 0x40)))
                }
                return(out, size)
            }
        }
    }

    /// @inheritdoc IRegistry
    function meterCount() external view returns (uint32) {
        return uint32(_meterIds.length);
    }

    /// @inheritdoc IRegistry
    function feederCount() external view returns (uint16) {
        return _feederCount;
    }

    /// @inheritdoc IRegistry
    function feeder(uint16 feederId) external view returns (Feeder memory) {
        return _feeder(feederId);
    }

    /// @inheritdoc IRegistry
    function envelopeAt(uint16 feederId, uint64 interval) public view returns (Envelope memory) {
        EnvelopeOverride storage o = _envelopes[feederId][interval];
        if (o.set) return Envelope({importLimitWh: o.importLimitWh, exportLimitWh: o.exportLimitWh});
        Feeder storage f = _feeder(feederId);
        return Envelope({importLimitWh: f.importLimitWh, exportLimitWh: f.exportLimitWh});
    }

    /// @inheritdoc IRegistry
    function envelopesAt(uint64 interval) external view returns (Envelope[] memory envelopes) {
        uint16 count = _feederCount;
        envelopes = new Envelope[](uint256(count) + 1);
        for (uint16 f = 0; f <= count; ++f) {
            envelopes[f] = envelopeAt(f, interval);
        }
    }

    /// @inheritdoc IRegistry
    function battery(bytes32 batteryId) external view returns (Battery memory) {
        return _battery(batteryId);
    }

    function _meter(bytes32 meterId) private view returns (Meter storage m) {
        m = _meters[meterId];
        if (m.owner == address(0)) revert RegistryMeterUnknown(meterId);
    }

    function _feeder(uint16 feederId) private view returns (Feeder storage f) {
        f = _feeders[feederId];
        if (!f.exists) revert RegistryFeederUnknown(feederId);
    }

    function _battery(bytes32 batteryId) private view returns (Battery storage b) {
        b = _batteries[batteryId];
        if (b.owner == address(0)) revert RegistryBatteryUnknown(batteryId);
    }
}
