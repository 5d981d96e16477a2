// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title Market: order-book commitments, clearing checked on-chain, escrow, metered settlement
/// @notice One interval, end to end: the order oracle commits the book (Merkle root of the
///         orders' EIP-712 digests, sorted by meter index then digest); the price oracle posts
///         the grid's reference tariffs; the market operator submits the clearing, which the
///         contract accepts only if it is a competitive equilibrium of the committed book
///         (and so a welfare optimum); buyers' credit is escrowed; the meter oracle posts
///         readings; anyone settles the interval once its readings are in.
/// @dev Money is in credit units (1 unit = 0.01 EUR-cent), energy in Wh, prices in credit
///      units per kWh, efficiencies in basis points. Prosumers' credit, energy and accrued
///      rewards live in an internal ledger (one storage slot per account); the ERC-20s move
///      only on deposit, withdrawal and claim.
interface IMarket {
    // -- packed calldata ---------------------------------------------------------------------
    //
    // The clearing's orders and the settlement's positions travel as tightly packed bytes
    // (big-endian, no ABI padding): calldata is most of a clearing's cost, and ABI tuples
    // are two thirds zeros. `contracts/packed.py` encodes and decodes both formats.
    //
    // Orders (one clearing chunk), in sections, each in book order:
    //   count uint32 (4) | meterId bytes32 (32) x count | body (105) x count |
    //   batteryId bytes32 (32, non-zero) for each body with the battery flag
    //   (no bytes at all: no orders)
    // Body: flags uint8 (1: bit 0 sell, bit 1 a battery id follows in the last section,
    //   other bits zero) | energyWh uint64 (8) | limitPrice uint64 (8) | nonce uint64 (8) |
    //   expiry uint64 (8) | fillWh uint64 (8) | r bytes32 (32) | vs bytes32 (32)
    // The meter ids come first so that the Market can pass them to the registry as they are
    // (one call for the chunk's meter words). The order's maker and interval are not sent:
    // the contract hashes the order with the meter's registered owner and the clearing's
    // interval, so the signature only recovers to the owner for an order the owner signed
    // for this interval.
    //
    // Position (48 bytes), one per meter with orders, in book order:
    //   meterIndex uint32 (4) | owner address (20) | price uint64 (8) | soldWh uint64 (8) |
    //   boughtWh uint64 (8)
    //
    // Meter settlement (64 bytes; what `MetersSettled` carries and the Ledger applies):
    //   owner address (20) | meterIndex uint32 (4) | exportWh uint32 (4) | deliveredWh uint32 (4) |
    //   netCredit int128 (16) | escrow uint64 (8) | reward uint64 (8)

    // -- types ---------------------------------------------------------------------------------

    enum Side {
        Buy,
        Sell
    }

    enum IntervalStatus {
        Open, // nothing committed yet
        BookCommitted, // the order oracle committed the book; it may recommit until clearing starts
        Clearing, // some chunks of a chunked clearing were accepted
        Cleared // the whole book was cleared; positions can be settled
    }

    /// @notice A prosumer's signed order (EIP-712 primary type `Order`).
    struct Order {
        address maker;
        bytes32 meterId;
        uint64 interval;
        Side side;
        uint64 energyWh;
        uint64 limitPrice; // credit units per kWh: most a buyer pays, least a seller takes
        uint64 nonce;
        uint64 expiry; // unix seconds; must not be before the book's commitment
        bytes32 batteryId; // zero, or the battery this order charges (buy) or discharges (sell)
    }

    /// @notice One feeder's clearing: its price and its net flow to the connection point.
    struct FeederResult {
        uint64 price; // credit units per kWh
        int64 flowWh; // positive: the feeder exports to the connection point
    }

    /// @notice The network part of a clearing, identical in every chunk.
    struct ClearingHeader {
        uint64 connectionPrice; // the connection point's price, credit units per kWh
        int64 gridImportWh; // positive: energy taken from the upstream grid
        FeederResult[] feeders; // feeders 1 .. feederCount, in order
    }

    /// @notice A compact (EIP-2098) signature.
    struct Signature {
        bytes32 r;
        bytes32 vs;
    }

    /// @notice One meter's measured energy in one interval.
    struct MeterReading {
        uint32 meterIndex;
        uint64 importWh;
        uint64 exportWh;
    }

    /// @notice Per-interval state (five storage slots).
    struct IntervalInfo {
        bytes32 bookRoot;
        bytes32 headerHash; // hash of the clearing header, kept only for chunked clearings
        uint32 orderCount;
        uint32 ordersCleared;
        uint16 chunksCleared;
        uint16 chunksSettled;
        uint8 chunkLog2;
        IntervalStatus status;
        uint64 committedAt;
        uint64 importTariff;
        uint64 feedInTariff;
        uint64 connectionPrice;
        uint64 marketPrice;
        bool tariffsPosted;
        bool marketPricePosted;
    }

    // -- events --------------------------------------------------------------------------------

    /// @notice The order oracle committed the book of `interval`.
    event BookCommitted(uint64 indexed interval, bytes32 root, uint32 orderCount, uint64 committedAt);
    /// @notice The price oracle posted the grid's reference tariffs for `interval`.
    event TariffsPosted(uint64 indexed interval, uint64 importTariff, uint64 feedInTariff);
    /// @notice The price oracle posted the local market price of a cleared interval.
    event MarketPricePosted(uint64 indexed interval, uint64 price);
    /// @notice A chunk of the clearing passed every check it can be given on its own.
    event ClearingChunkAccepted(
        uint64 indexed interval, uint256 chunk, uint256 orders, uint256 positions, bytes32 positionsHash
    );
    /// @notice The whole book of `interval` was cleared.
    event IntervalCleared(uint64 indexed interval, uint32 orderCount, uint64 connectionPrice, int64 gridImportWh);
    /// @notice A battery is to charge (positive power) or discharge (negative) in `interval`,
    ///         because a filled order carried it (`orderHash`) or a posted price crossed its
    ///         owner's policy (`orderHash` zero).
    event BatteryDispatched(bytes32 indexed battery, uint64 indexed interval, int64 powerW, bytes32 orderHash);
    /// @notice The meter oracle posted `count` readings of `interval`, `newReadings` of them new.
    event ReadingsPosted(uint64 indexed interval, uint256 count, uint256 newReadings);
    /// @notice Meters of `interval` were settled; `settlements` holds one 64-byte record per
    ///         meter (owner, meter index, metered export, energy delivered to local buyers,
    ///         net credit received (negative: paid) on top of the escrow released, escrow
    ///         released, reward accrued; see "packed calldata").
    /// @dev One event per settlement call instead of one per meter: a log costs 375 gas plus
    ///      375 per topic, 8 per data byte; the batch keeps it at 8 x 64 gas per meter.
    event MetersSettled(uint64 indexed interval, bytes settlements);
    /// @notice Chunk `chunk` of `interval`'s positions was settled.
    event PositionsSettled(uint64 indexed interval, uint256 chunk, uint256 positions);
    /// @notice Governance set the settlement grace period and the local-trading reward.
    event ParametersSet(uint64 settlementGraceSeconds, uint64 rewardPerKwh);
    /// @notice Governance set how many meter oracles must sign a batch of readings.
    event ReadingQuorumSet(uint8 quorum);

    // -- errors --------------------------------------------------------------------------------

    error MarketZeroAmount();
    error MarketBookInvalid(uint64 interval, bytes32 root, uint32 orderCount);
    error MarketClearingAlreadyStarted(uint64 interval);
    error MarketIntervalNotCommitted(uint64 interval);
    error MarketIntervalAlreadyCleared(uint64 interval);
    error MarketIntervalNotCleared(uint64 interval);
    error MarketTariffsMissing(uint64 interval);
    error MarketTariffsInverted(uint64 importTariff, uint64 feedInTariff);

    error MarketOrderCountMismatch(uint64 interval, uint256 remaining, uint256 given);
    error MarketChunkSizeInvalid(uint64 interval, uint256 size);
    error MarketClearingHeaderMismatch(uint64 interval);
    error MarketFeederCountMismatch(uint256 expected, uint256 given);
    error MarketOrdersMalformed(uint256 length, uint256 at);
    error MarketOrderExpired(bytes32 orderHash, uint64 expiry);
    error MarketOrderSignatureInvalid(bytes32 orderHash, address recovered);
    error MarketMeterInactive(bytes32 meterId);
    error MarketOrderOutOfSequence(bytes32 orderHash, uint32 meterIndex);
    error MarketFillExceedsOrder(bytes32 orderHash, uint64 fillWh, uint64 energyWh);
    error MarketOrderInTheMoneyNotFilled(bytes32 orderHash, uint64 limitPrice, uint64 price, uint64 fillWh);
    error MarketOrderOutOfTheMoneyFilled(bytes32 orderHash, uint64 limitPrice, uint64 price, uint64 fillWh);
    error MarketBookRootMismatch(uint64 interval, bytes32 computed, bytes32 committed);
    error MarketFeederUnbalanced(uint16 feederId, int256 netFillsWh, int64 flowWh);
    error MarketConnectionUnbalanced(int256 feederFlowsWh, int64 gridImportWh);
    error MarketFlowOverLimit(uint16 feederId, int256 exportWh, uint64 importLimitWh, uint64 exportLimitWh);
    error MarketPriceSeparationUnjustified(uint16 feederId, uint64 feederPrice, uint64 connectionPrice, int64 flowWh);
    error MarketConnectionPriceOutOfBand(
        uint64 connectionPrice, uint64 feedInTariff, uint64 importTariff, int64 gridImportWh
    );
    error MarketBatteryMismatch(bytes32 batteryId, address maker, bytes32 meterId);
    error MarketBatteryPowerExceeded(bytes32 batteryId, uint256 powerW, uint32 maxW);

    error MarketIntervalNotEnded(uint64 interval, uint64 endsAt);
    error MarketMeterIndexUnknown(uint32 meterIndex);
    error MarketReadingTooLarge(uint32 meterIndex, uint64 importWh, uint64 exportWh);
    error MarketReadingConflict(
        uint64 interval, uint32 meterIndex, uint64 postedImportWh, uint64 postedExportWh, uint64 importWh, uint64 exportWh
    );
    error MarketQuorumRequired(uint8 quorum);
    error MarketQuorumNotMet(uint8 quorum, uint256 signers);
    error MarketAttestationInvalid(uint256 index, address signer);

    error MarketChunkUnknown(uint64 interval, uint256 chunk);
    error MarketChunkAlreadySettled(uint64 interval, uint256 chunk);
    error MarketPositionsMismatch(uint64 interval, uint256 chunk);
    error MarketEscrowTooLarge(uint32 meterIndex, uint256 escrow);
    error MarketReadingMissing(uint64 interval, uint32 meterIndex);
    error MarketMeterHasPosition(uint64 interval, uint32 meterIndex);
    error MarketPositionsUnsettled(uint64 interval, uint16 chunksSettled, uint16 chunksCleared);
    error MarketMeterAlreadySettled(uint64 interval, uint32 meterIndex);

    // -- interval inputs -----------------------------------------------------------------------

    /// @notice Commits the order book of `interval`: the Merkle root of the orders' EIP-712
    ///         digests in book order (by meter index, then digest) and their count.
    /// @dev Only `ORDER_ORACLE_ROLE`; may be repeated until clearing starts. An empty book has
    ///      root zero. Orders must not expire before this commitment.
    function commitBook(uint64 interval, bytes32 root, uint32 orderCount) external;

    /// @notice Posts the grid's reference tariffs of `interval` (credit units per kWh).
    /// @dev Only `PRICE_ORACLE_ROLE`, before clearing starts; feed-in must not exceed import.
    function postTariffs(uint64 interval, uint64 importTariff, uint64 feedInTariff) external;

    /// @notice Posts the local market price of a cleared interval and dispatches the listed
    ///         batteries whose owner's policy the price crosses.
    /// @dev Only `PRICE_ORACLE_ROLE`. The Ledger (which keeps the batteries) checks the
    ///      policies and emits `BatteryDispatched`; it reverts with
    ///      `LedgerBatteryPolicyNotCrossed` for a listed battery the price does not cross.
    function postMarketPrice(uint64 interval, uint64 price, bytes32[] calldata batteryIds) external;

    /// @notice Submits the clearing of `interval`, whole or as the next chunk.
    /// @dev Only `MARKET_OPERATOR_ROLE`. A chunk that is not `final` holds a power of two of
    ///      orders (the same size for every non-final chunk); the final chunk holds all the
    ///      remaining orders. Reverts with the custom error of the first violation found.
    /// @param header Prices and flows, identical in every chunk.
    /// @param orders The next orders of the committed book, in book order, with fills and
    ///        signatures, packed (see "packed calldata").
    /// @param isFinal Whether this chunk completes the book.
    function submitClearing(uint64 interval, ClearingHeader calldata header, bytes calldata orders, bool isFinal)
        external;

    /// @notice Posts meter readings of an ended interval. A reading already posted for a
    ///         (meter, interval) is a no-op when identical and reverts when different.
    /// @dev Only `METER_ORACLE_ROLE`, and only while the reading quorum is one.
    function postReadings(uint64 interval, MeterReading[] calldata readings) external;

    /// @notice Posts readings signed by at least `readingQuorum` distinct meter oracles
    ///         (EIP-712 `ReadingBatch(uint64 interval,bytes32 readingsHash)`, readingsHash =
    ///         keccak256(abi.encode(readings)); compact signatures ordered by ascending signer).
    /// @dev Only `METER_ORACLE_ROLE`.
    function postReadingsAttested(
        uint64 interval,
        MeterReading[] calldata readings,
        Signature[] calldata signatures
    ) external;

    // -- settlement ----------------------------------------------------------------------------

    /// @notice Settles the positions of clearing chunk `chunk` against the meters' readings:
    ///         fills at the feeder price, each meter's imbalance at the reference tariffs
    ///         (surplus at feed-in, shortfall at import), escrow released, energy tokens
    ///         minted for metered export and burned for energy delivered to local buyers.
    /// @dev Anyone, once every reading is in; after the settlement deadline the market
    ///      operator may settle with missing readings counted as zero.
    /// @param positions The chunk's positions exactly as the clearing derived them, packed
    ///        (48 bytes each, see "packed calldata"); their keccak256 is the chunk's hash.
    function settlePositions(uint64 interval, uint256 chunk, bytes calldata positions) external;

    /// @notice Settles meters that had no order in a cleared interval: their whole metered
    ///         energy is imbalance.
    /// @dev Anyone, once every chunk's positions are settled (a meter's position marks it
    ///      at settlement, which is how this call tells the meters without orders); a chunk
    ///      without positions counts as settled when it is cleared.
    function settleMeters(uint64 interval, uint32[] calldata meterIndices) external;

    // -- governance ----------------------------------------------------------------------------

    /// @notice Sets the settlement grace period and the reward per locally traded kWh.
    /// @dev Only `DEFAULT_ADMIN_ROLE`.
    function setParameters(uint64 settlementGraceSeconds, uint64 rewardPerKwh) external;

    /// @notice Sets how many meter oracles must sign a batch of readings (1: no signatures).
    /// @dev Only `DEFAULT_ADMIN_ROLE`.
    function setReadingQuorum(uint8 quorum) external;

    /// @notice Stops trading, clearing, readings and settlement (withdrawals still work).
    /// @dev Only `DEFAULT_ADMIN_ROLE`.
    function pause() external;

    /// @notice Resumes after `pause`.
    /// @dev Only `DEFAULT_ADMIN_ROLE`.
    function unpause() external;

    // -- views ---------------------------------------------------------------------------------

    /// @notice The EIP-712 digest of `order` under this Market's domain.
    function hashOrder(Order calldata order) external view returns (bytes32);

    /// @notice Per-interval state.
    function intervalInfo(uint64 interval) external view returns (IntervalInfo memory);

    /// @notice The reading of a meter in an interval.
    function reading(uint64 interval, uint32 meterIndex)
        external
        view
        returns (bool posted, uint64 importWh, uint64 exportWh);

    /// @notice Whether a meter was settled in `interval`, and whether with a position (known
    ///         once its chunk is settled: both are set then).
    function meterStatus(uint64 interval, uint32 meterIndex) external view returns (bool hasPosition, bool settled);

    /// @notice keccak256 of clearing chunk `chunk`'s packed positions, and whether it was
    ///         settled (a settled chunk's hash is deleted: zero from then on).
    function chunkPositions(uint64 interval, uint256 chunk) external view returns (bytes32 hash, bool settled);

    /// @notice The interval that contains the current block's timestamp.
    function currentInterval() external view returns (uint64);
}
