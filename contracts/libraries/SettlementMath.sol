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

    struct MeterSettlement {
        uint256 escrow; // what the buyer side paid at clearing: ceil(bought * price / 1000)
        uint256 proceeds; // what the seller side earns: floor(sold * price / 1000)
        uint256 surplusCredit; // floor(surplus * feedInTariff / 1000)
        uint256 shortfallCharge; // ceil(shortfall * importTariff / 1000)
        uint64 deliveredWh; // min(sold, metered export): energy delivered to local buyers
        uint64 usedFillWh; // min(bought, metered import): bought energy actually used
    }

    /// @notice Escrow a meter's purchases lock at clearing.
    function escrowFor(uint64 boughtWh, uint64 price) internal pure returns (uint256) {
        return Math.ceilDiv(uint256(boughtWh) * price, WH_PER_KWH);
    }

    /// @notice The settlement of one meter.
    function settle(
        uint64 price,
        uint64 importTariff,
        uint64 feedInTariff,
        uint64 soldWh,
        uint64 boughtWh,
        uint64 importWh,
        uint64 exportWh
    ) internal pure returns (MeterSettlement memory s) {
        settleInto(s, price, importTariff, feedInTariff, soldWh, boughtWh, importWh, exportWh);
    }

    /// @notice The settlement of one meter, written into `s` (so a loop reuses one struct).
    function settleInto(
        MeterSettlement memory s,
        uint64 price,
        uint64 importTariff,
        uint64 feedInTariff,
        uint64 soldWh,
        uint64 boughtWh,
        uint64 importWh,
        uint64 exportWh
    ) internal pure {
        s.escrow = escrowFor(boughtWh, price);
        s.proceeds = uint256(soldWh) * price / WH_PER_KWH;
        // every term is below 2^64, so the signed sums cannot overflow int256
        int256 imbalance = (int256(uint256(exportWh)) - int256(uint256(importWh)))
            - (int256(uint256(soldWh)) - int256(uint256(boughtWh)));
        s.surplusCredit = 0;
        s.shortfallCharge = 0;
        if (imbalance > 0) {
            s.surplusCredit = uint256(imbalance) * feedInTariff / WH_PER_KWH;
        } else if (imbalance < 0) {
            s.shortfallCharge = Math.ceilDiv(uint256(-imbalance) * importTariff, WH_PER_KWH);
        }
        s.deliveredWh = soldWh < exportWh ? soldWh : exportWh;
        s.usedFillWh = boughtWh < importWh ? boughtWh : importWh;
    }
}
