// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title NaiveSettlement: the gas baseline, not part of the suite
/// @notice What a straightforward design pays: one ERC-20 transfer and one storage write per
///         trade, one storage slot per meter reading. `bench/gas.py` measures it in the same
///         run as the Market so the two figures are comparable.
contract NaiveSettlement {
    struct Trade {
        address buyer;
        address seller;
        uint256 amount;
        uint64 energyWh;
    }

    struct StoredReading {
        uint64 importWh;
        uint64 exportWh;
        bool posted;
    }

    IERC20 public immutable credit;
    mapping(bytes32 tradeId => uint64 energyWh) public settledTrades;
    mapping(uint64 interval => mapping(bytes32 meterId => StoredReading)) public readings;

    /// @notice A trade was settled.
    event NaiveTradeSettled(bytes32 indexed tradeId, address indexed buyer, address indexed seller, uint256 amount);

    constructor(IERC20 credit_) {
        credit = credit_;
    }

    /// @notice Settles each trade with its own transferFrom and its own storage write.
    function settle(Trade[] calldata trades) external {
        for (uint256 i; i < trades.length; ++i) {
            Trade calldata t = trades[i];
            bytes32 id = keccak256(abi.encode(block.number, i, t.buyer, t.seller));
            settledTrades[id] = t.energyWh;
            require(credit.transferFrom(t.buyer, t.seller, t.amount), "transfer failed");
            emit NaiveTradeSettled(id, t.buyer, t.seller, t.amount);
        }
    }

    /// @notice Stores each reading in its own slot.
    function postReadings(uint64 interval, bytes32[] calldata meterIds, uint64[] calldata importWh, uint64[] calldata exportWh)
        external
    {
        for (uint256 i; i < meterIds.length; ++i) {
            readings[interval][meterIds[i]] = StoredReading(importWh[i], exportWh[i], true);
        }
    }
}
