// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title SettlementMath: what one meter's interval costs or earns, in integers
/// @notice Fills settle at the feeder's clearing price; the imbalance (metered net export
///         minus contracted net export) settles at the reference tariffs: a surplus is
///         bought by the balancing account at the feed-in tariff, a shortfall sold to the
///         meter's owner at the import tariff. So a seller is paid for what it delivered and
///         buys what it did not deliver at the import tariff; a buyer pays for its fill,
///         gets the feed-in tariff for what it did not use and pays the import tariff for
///         what it used beyond its fill. Amounts owed to the market round up, amounts paid
///         by it round down, so the balancing account never pays out a rounding gain.
library SettlementMath {
    /// @notice Energy in Wh times a price per kWh is 1000 times the credit units.
    uint256 internal constant WH_PER_KWH = 1000;

    /// @notice Escrow a meter's purchases lock at clearing.
    function escrowFor(uint64 boughtWh, uint64 price) internal pure returns (uint256) {
        return Math.ceilDiv(uint256(boughtWh) * price, WH_PER_KWH);
    }

    /// @notice What one meter's interval costs or earns: the escrow its purchases locked
    ///         (ceil(bought x price / 1000)), and the net credit it receives on top of that
    ///         escrow being released (negative: it pays): proceeds floor(sold x price / 1000),
    ///         plus a surplus at the feed-in tariff (rounded down) or minus a shortfall at the
    ///         import tariff (rounded up); imbalance = (export - import) - (sold - bought).
    /// @dev Every argument is below 2^64 (the callers' fields), so no product reaches 2^129
    ///      and no sum or difference leaves int256.
    function netCredit(
        uint256 price,
        uint256 soldWh,
        uint256 boughtWh,
        uint256 importWh,
        uint256 exportWh,
        uint256 importTariff,
        uint256 feedInTariff
    ) internal pure returns (uint256 escrow, int256 net) {
        // operands below 2^64: products below 2^128, sums of four such terms inside int256
        unchecked {
            escrow = (boughtWh * price + (WH_PER_KWH - 1)) / WH_PER_KWH;
            net = int256(soldWh * price / WH_PER_KWH);
            int256 imbalance = int256(exportWh) - int256(importWh) - int256(soldWh) + int256(boughtWh);
            if (imbalance > 0) {
                net += int256(uint256(imbalance) * feedInTariff / WH_PER_KWH);
            } else if (imbalance < 0) {
                net -= int256((uint256(-imbalance) * importTariff + (WH_PER_KWH - 1)) / WH_PER_KWH);
            }
        }
    }
}
