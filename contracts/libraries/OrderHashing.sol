// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IMarket} from "../interfaces/IMarket.sol";

/// @title OrderHashing: the EIP-712 struct hashes of the Market's typed data
library OrderHashing {
    /// @notice EIP-712 type of a prosumer's order; `side` is 0 for buy, 1 for sell.
    bytes32 internal constant ORDER_TYPEHASH = keccak256(
        "Order(address maker,bytes32 meterId,uint64 interval,uint8 side,uint64 energyWh,uint64 limitPrice,uint64 nonce,uint64 expiry,bytes32 batteryId)"
    );

    /// @notice EIP-712 type a meter oracle signs to attest a batch of readings.
    bytes32 internal constant READING_BATCH_TYPEHASH = keccak256("ReadingBatch(uint64 interval,bytes32 readingsHash)");

    /// @notice hashStruct(order).
    function hash(IMarket.Order calldata order) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                ORDER_TYPEHASH,
                order.maker,
                order.meterId,
                order.interval,
                order.side,
                order.energyWh,
                order.limitPrice,
                order.nonce,
                order.expiry,
                order.batteryId
            )
        );
    }

    /// @notice hashStruct(ReadingBatch(interval, keccak256(abi.encode(readings)))).
    function hashReadings(uint64 interval, IMarket.MeterReading[] calldata readings) internal pure returns (bytes32) {
        return keccak256(abi.encode(READING_BATCH_TYPEHASH, interval, keccak256(abi.encode(readings))));
    }
}
