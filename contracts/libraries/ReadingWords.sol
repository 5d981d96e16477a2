// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title ReadingWords: six meter readings in one storage word
/// @notice A reading takes 42 bits: (importWh + 1) in the high 21 bits, exportWh in the low
///         21, so an empty entry (zero) means "no reading". Six readings of consecutive meter
///         indices share a word: a batch of readings costs one new storage slot per six
///         meters instead of one per meter, which is what keeps a reading under 5,000 gas.
///         The price is a ceiling of 2,097,150 Wh per meter and interval (8.4 MW average
///         over 15 minutes), far above a prosumer connection.
library ReadingWords {
    uint256 internal constant PER_WORD = 6;
    uint256 internal constant BITS = 42;
    uint256 internal constant FIELD_BITS = 21;
    uint256 internal constant ENTRY_MASK = (1 << BITS) - 1;
    uint256 internal constant FIELD_MASK = (1 << FIELD_BITS) - 1;
    /// @notice Largest import or export one reading can hold.
    uint64 internal constant MAX_WH = uint64(FIELD_MASK - 1);

    /// @notice Which word holds meter `meterIndex`, and at which bit offset.
    function locate(uint32 meterIndex) internal pure returns (uint256 word, uint256 shift) {
        word = meterIndex / PER_WORD;
        shift = (meterIndex % PER_WORD) * BITS;
    }

    /// @notice The entry for a reading (never zero).
    function encode(uint64 importWh, uint64 exportWh) internal pure returns (uint256) {
        return ((uint256(importWh) + 1) << FIELD_BITS) | exportWh;
    }

    /// @notice The reading in entry `entry` (posted false when the entry is empty).
    function decode(uint256 entry) internal pure returns (bool posted, uint64 importWh, uint64 exportWh) {
        if (entry == 0) return (false, 0, 0);
        // a non-empty entry's import field holds importWh + 1 >= 1
        unchecked {
            importWh = uint64((entry >> FIELD_BITS) - 1);
        }
        exportWh = uint64(entry & FIELD_MASK);
        posted = true;
    }
}
