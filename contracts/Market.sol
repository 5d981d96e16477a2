// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {ILedger} from "./interfaces/ILedger.sol";
import {IMarket} from "./interfaces/IMarket.sol";
import {IRegistry} from "./interfaces/IRegistry.sol";
import {BookMerkle} from "./libraries/BookMerkle.sol";
import {OrderHashing} from "./libraries/OrderHashing.sol";
import {ReadingWords} from "./libraries/ReadingWords.sol";

/// @title Market
/// @notice See `IMarket`. Immutable: a new version is deployed beside this one and
///         prosumers move their ledger balances by withdrawing and depositing (see
///         docs/contracts.md for why there is no proxy).
contract Market is AccessControl, Pausable, EIP712, IMarket {
    using SafeCast for uint256;

    bytes32 public constant METER_ORACLE_ROLE = keccak256("METER_ORACLE_ROLE");
    bytes32 public constant PRICE_ORACLE_ROLE = keccak256("PRICE_ORACLE_ROLE");
    bytes32 public constant ORDER_ORACLE_ROLE = keccak256("ORDER_ORACLE_ROLE");
    bytes32 public constant MARKET_OPERATOR_ROLE = keccak256("MARKET_OPERATOR_ROLE");

    // a meter's two flag bits in an interval in `_meterFlags`, for meters settled without
    // orders (`settleMeters` sets FLAG_SETTLED); a meter settled with a position has its bit
    // in `_positionMeters` instead (one bit a meter, set by `settlePositions`)
    uint256 private constant FLAG_HAS_POSITION = 1;
    uint256 private constant FLAG_SETTLED = 2;
    /// @dev Not a stored flag: `_settleMeter`'s answer for a meter without a reading.
    uint256 private constant FLAG_MISSING = 4;
    uint256 private constant METERS_PER_FLAG_WORD = 128;

    IRegistry public immutable registry;
    /// @notice Where credit, escrow, energy and rewards are kept.
    ILedger public immutable ledger;
    /// @notice Length of an interval in seconds; interval `i` spans [i * len, (i + 1) * len).
    uint64 public immutable intervalSeconds;

    /// @notice Seconds after an interval's end from which the operator may settle with
    ///         missing readings.
    uint64 public settlementGraceSeconds = 1 days;
    /// @notice Reward units per kWh traded locally and delivered (sold and delivered, or
    ///         bought and used), accrued at settlement.
    uint64 public rewardPerKwh;
    /// @notice Meter oracles that must sign a batch of readings (1: the sender alone).
    uint8 public readingQuorum = 1;

    /// @dev What a chunked clearing carries from one chunk to the next.
    struct Carry {
        bytes32 lastDigest;
        uint32 lastMeterIndex;
        bool hasLast; // and so an open position
        address posOwner;
        uint64 posPrice;
        uint64 posSold;
        uint64 posBought;
    }

    /// @dev Working state of one clearing chunk, in memory. The per-order loop runs in
    ///      assembly and reads and writes the fields up to `batteriesPtr` at their offsets
    ///      (`CX_*`: 32 bytes a field, in declaration order), so keep the two in step. Buffers
    ///      are written through raw cursors (`*Ptr`, memory addresses) and sized once from the
    ///      order count, so the loop allocates nothing.
    struct ChunkContext {
        uint256 interval; // CX_INTERVAL
        uint256 committedAt; // CX_COMMITTED_AT
        bytes32 domainSeparator; // CX_DOMAIN
        uint256 feedersOffset; // CX_FEEDERS: calldata offset of header.feeders[0]
        uint256 feederCount; // CX_FEEDER_COUNT
        // the last order (book order is by meter index, then digest); while a position is
        // open, lastMeterIndex is its meter's
        uint256 hasLast; // CX_HAS_LAST
        uint256 lastMeterIndex; // CX_LAST_INDEX
        bytes32 lastDigest; // CX_LAST_DIGEST
        uint256 meterPrice; // CX_METER_PRICE: the current meter's feeder price
        // the open position (the current meter's orders so far; open whenever hasLast is)
        uint256 posOwner; // CX_POS_OWNER
        uint256 posPrice; // CX_POS_PRICE
        uint256 posSold; // CX_POS_SOLD
        uint256 posBought; // CX_POS_BOUGHT
        uint256 leavesPtr; // CX_LEAVES_PTR
        uint256 positionsPtr; // CX_POSITIONS_PTR
        uint256 escrowsPtr; // CX_ESCROWS_PTR
        uint256 feederNetPtr; // CX_FEEDER_NET_PTR: address of feederNet[0]
        uint256 stop; // CX_STOP: why `_clearRun` stopped (STOP_*), zero at the end
        uint256 at; // CX_AT: the calldata offset of the body of the order it stopped at
        // cursors of the next order: its registry word (memory), its meter id and its
        // battery id (calldata; see "packed calldata" in IMarket)
        uint256 wordsPtr; // CX_WORDS_PTR
        uint256 idsPtr; // CX_IDS_PTR
        uint256 batteriesPtr; // CX_BATTERIES_PTR
        // read by Solidity only
        bool first;
        bool isFinal;
        uint256 chunk;
        uint256 orders;
        uint256 bodiesOffset; // calldata offset of the first order body
        uint256 ordersLength; // bytes of the packed orders
        uint256 ordersEnd; // calldata offset just after them
        int256[] feederNet; // index = feeder id; index 0 unused
        bytes32[] leaves;
        bytes positions;
        bytes escrows;
    }

    /// @dev Working state of one settlement call, in memory; `_settleMeter`'s assembly reads
    ///      and writes the fields at their offsets (`SX_*`, 32 bytes each, in order).
    struct SettleContext {
        uint256 interval; // SX_INTERVAL
        uint256 importTariff; // SX_IMPORT_TARIFF
        uint256 feedInTariff; // SX_FEED_IN_TARIFF
        uint256 rewardPerKwh; // SX_REWARD_PER_KWH
        uint256 missingAsZero; // SX_MISSING_AS_ZERO
        uint256 entriesPtr; // SX_ENTRIES_PTR
        uint256 readingsBase; // SX_READINGS_BASE: storage slot of _readings[interval]
        uint256 readingWordIndex; // SX_READING_INDEX
        uint256 readingWord; // SX_READING_WORD
        uint256 readingWordLoaded; // SX_READING_LOADED
        uint256 flagsBase; // SX_FLAGS_BASE: storage slot of _meterFlags[interval]
        uint256 flagWordIndex; // SX_FLAG_INDEX
        uint256 flagWord; // SX_FLAG_WORD
        uint256 flagWordLoaded; // SX_FLAG_LOADED
        uint256 positionMetersBase; // SX_POSITION_METERS_BASE: slot of _positionMeters[interval]
        uint256 runBound; // SX_RUN_BOUND: `_settleRun`'s next word boundary (zero at the start)
        bytes entries;
    }

    uint256 private constant BODY_BYTES = 105;
    uint256 private constant BATTERY_BYTES = 32;
    uint256 private constant POSITION_BYTES = 48;
    uint256 private constant ENTRY_BYTES = 64;
    uint256 private constant ORDER_SELL = 1;
    uint256 private constant ORDER_HAS_BATTERY = 2;
    // offsets in an order body (see "packed calldata" in IMarket)
    uint256 private constant O_ENERGY = 1;
    uint256 private constant O_LIMIT = 9;
    uint256 private constant O_NONCE = 17;
    uint256 private constant O_EXPIRY = 25;
    uint256 private constant O_FILL = 33;
    uint256 private constant O_R = 41;
    uint256 private constant O_VS = 73;
    /// @dev secp256k1n / 2: a larger `s` is the malleable twin of a valid signature.
    uint256 private constant HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
    // The hot loops write wide masks as shifts: shr(192, shl(192, x)) for x's low 64 bits,
    // shr(64, x) non-zero for "x is above 64 bits". With runs = 200 the optimizer's constant
    // optimizer rebuilds 2^64 - 1 (and 2^96 - 1, 2^160 - 1) from PUSH1s at every use, about
    // 12 gas more than the two shifts.

    // memory addresses of `ChunkContext`'s assembly-accessed fields (32 bytes each, in
    // declaration order): the context is a clearing call's first allocation, at 0x80 (checked
    // by `_openChunk`), so the loop addresses its fields as constants
    uint256 private constant CX_INTERVAL = 0x80;
    uint256 private constant CX_COMMITTED_AT = 0xa0;
    uint256 private constant CX_DOMAIN = 0xc0;
    uint256 private constant CX_FEEDERS = 0xe0;
    uint256 private constant CX_FEEDER_COUNT = 0x100;
    uint256 private constant CX_HAS_LAST = 0x120;
    uint256 private constant CX_LAST_INDEX = 0x140;
    uint256 private constant CX_LAST_DIGEST = 0x160;
    uint256 private constant CX_METER_PRICE = 0x180;
    uint256 private constant CX_POS_OWNER = 0x1a0;
    uint256 private constant CX_POS_PRICE = 0x1c0;
    uint256 private constant CX_POS_SOLD = 0x1e0;
    uint256 private constant CX_POS_BOUGHT = 0x200;
    uint256 private constant CX_LEAVES_PTR = 0x220;
    uint256 private constant CX_POSITIONS_PTR = 0x240;
    uint256 private constant CX_ESCROWS_PTR = 0x260;
    uint256 private constant CX_FEEDER_NET_PTR = 0x280;
    uint256 private constant CX_STOP = 0x2a0;
    uint256 private constant CX_AT = 0x2c0;
    uint256 private constant CX_WORDS_PTR = 0x2e0;
    uint256 private constant CX_IDS_PTR = 0x300;
    uint256 private constant CX_BATTERIES_PTR = 0x320;
    /// @dev Where the context ends (0x80 + 33 fields x 32 bytes): the hashing scratch, the
    ///      call's second allocation, starts here (checked by `_openChunk`).
    uint256 private constant CX_END = 0x4a0;
    // The hashing scratch at fixed addresses, so the loop writes each field with one store:
    // the EIP-712 struct hash input (ten words from H_STRUCT: typehash, maker, meterId,
    // interval, side, energyWh, limitPrice, nonce, expiry, batteryId; the typehash and the
    // interval written once a chunk), the digest input (0x1901 | domain separator | struct
    // hash: 66 bytes from H_DIGEST + 30) and ecrecover's input (digest, v, r, s). After a
    // stop they still hold the stopped order's meter id, battery id and digest.
    uint256 private constant H_STRUCT = 0x4a0;
    uint256 private constant H_MAKER = 0x4c0;
    uint256 private constant H_METER = 0x4e0;
    uint256 private constant H_INTERVAL = 0x500;
    uint256 private constant H_SIDE = 0x520;
    uint256 private constant H_ENERGY = 0x540;
    uint256 private constant H_LIMIT = 0x560;
    uint256 private constant H_NONCE = 0x580;
    uint256 private constant H_EXPIRY = 0x5a0;
    uint256 private constant H_BATTERY = 0x5c0;
    uint256 private constant H_DIGEST = 0x5e0;
    uint256 private constant H_RECOVER = 0x640;
    uint256 private constant H_END = 0x6c0;
    // why `_clearRun` stopped before the end of its orders
    uint256 private constant STOP_INVALID = 1; // the order at `at` fails a check
    uint256 private constant STOP_BATTERY = 2; // the order at `at` dispatches a battery
    uint256 private constant STOP_ESCROW = 3; // the open position's escrow exceeds 96 bits
    uint256 private constant STOP_OVERFLOW = 4; // a meter's fills exceed 64 bits
    /// @dev `OrderHashing.ORDER_TYPEHASH` as a literal for assembly (the constructor checks it).
    uint256 private constant ORDER_TYPEHASH = 0x7b96b7d86a658fc14f64d4076cb9a68b43cf52535a1cb0d019cdb6f747837cc3;
    // offsets of `SettleContext`'s fields (32 bytes each, in declaration order)
    uint256 private constant SX_INTERVAL = 0x0;
    uint256 private constant SX_IMPORT_TARIFF = 0x20;
    uint256 private constant SX_FEED_IN_TARIFF = 0x40;
    uint256 private constant SX_REWARD_PER_KWH = 0x60;
    uint256 private constant SX_MISSING_AS_ZERO = 0x80;
    uint256 private constant SX_ENTRIES_PTR = 0xa0;
    uint256 private constant SX_READINGS_BASE = 0xc0;
    uint256 private constant SX_READING_INDEX = 0xe0;
    uint256 private constant SX_READING_WORD = 0x100;
    uint256 private constant SX_READING_LOADED = 0x120;
    uint256 private constant SX_FLAGS_BASE = 0x140;
    uint256 private constant SX_FLAG_INDEX = 0x160;
    uint256 private constant SX_FLAG_WORD = 0x180;
    uint256 private constant SX_FLAG_LOADED = 0x1a0;
    uint256 private constant SX_POSITION_METERS_BASE = 0x1c0;
    uint256 private constant SX_RUN_BOUND = 0x1e0;
    /// @dev `IRegistry.meterWord.selector` in the top four bytes (the constructor checks it).
    uint256 private constant METER_WORD_SELECTOR = 0x7f78348600000000000000000000000000000000000000000000000000000000;

    mapping(uint64 interval => IntervalInfo) private _intervals;
    mapping(uint64 interval => Carry) private _carry;
    mapping(uint64 interval => mapping(uint256 chunk => bytes32)) private _chunkRoots;
    mapping(uint64 interval => mapping(uint256 chunk => bytes32)) private _positionsHashes;
    mapping(uint64 interval => mapping(uint256 feederId => int256)) private _feederNet;
    mapping(uint64 interval => mapping(uint256 word => uint256)) private _readings;
    mapping(uint64 interval => mapping(uint256 word => uint256)) private _meterFlags;
    mapping(uint64 interval => mapping(uint256 word => uint256)) private _positionMeters;

    constructor(
        address admin,
        IRegistry registry_,
        ILedger ledger_,
        uint64 intervalSeconds_
    ) EIP712("TEM Market", "1") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        registry = registry_;
        ledger = ledger_;
        intervalSeconds = intervalSeconds_;
        assert(bytes4(bytes32(METER_WORD_SELECTOR)) == IRegistry.meterWord.selector);
        assert(bytes32(ORDER_TYPEHASH) == OrderHashing.ORDER_TYPEHASH);
    }

    // =========================================================================================
    // interval inputs
    // =========================================================================================

    /// @inheritdoc IMarket
    function commitBook(uint64 interval, bytes32 root, uint32 orderCount)
        external
        onlyRole(ORDER_ORACLE_ROLE)
        whenNotPaused
    {
        IntervalInfo storage s = _intervals[interval];
        if (s.status > IntervalStatus.BookCommitted) revert MarketClearingAlreadyStarted(interval);
        if ((orderCount == 0) != (root == bytes32(0))) revert MarketBookInvalid(interval, root, orderCount);
        s.bookRoot = root;
        s.orderCount = orderCount;
        s.committedAt = uint64(block.timestamp);
        s.status = IntervalStatus.BookCommitted;
        emit BookCommitted(interval, root, orderCount, uint64(block.timestamp));
    }

    /// @inheritdoc IMarket
    function postTariffs(uint64 interval, uint64 importTariff, uint64 feedInTariff)
        external
        onlyRole(PRICE_ORACLE_ROLE)
        whenNotPaused
    {
        IntervalInfo storage s = _intervals[interval];
        if (s.status > IntervalStatus.BookCommitted) revert MarketClearingAlreadyStarted(interval);
        if (feedInTariff > importTariff) revert MarketTariffsInverted(importTariff, feedInTariff);
        s.importTariff = importTariff;
        s.feedInTariff = feedInTariff;
        s.tariffsPosted = true;
        emit TariffsPosted(interval, importTariff, feedInTariff);
    }

    /// @inheritdoc IMarket
    function postMarketPrice(uint64 interval, uint64 price, bytes32[] calldata batteryIds)
        external
        onlyRole(PRICE_ORACLE_ROLE)
        whenNotPaused
    {
        IntervalInfo storage s = _intervals[interval];
        if (s.status != IntervalStatus.Cleared) revert MarketIntervalNotCleared(interval);
        s.marketPrice = price;
        s.marketPricePosted = true;
        emit MarketPricePosted(interval, price);
        if (batteryIds.length > 0) ledger.dispatchByPolicy(interval, price, batteryIds);
    }

    // =========================================================================================
    // clearing
    // =========================================================================================

    /// @inheritdoc IMarket
    function submitClearing(uint64 interval, ClearingHeader calldata header, bytes calldata orders, bool isFinal)
        external
        onlyRole(MARKET_OPERATOR_ROLE)
        whenNotPaused
    {
        IntervalInfo storage s = _intervals[interval];
        ChunkContext memory c = _openChunk(s, interval, header, orders, isFinal);
        _clearOrders(c, c.bodiesOffset, c.bodiesOffset + c.orders * BODY_BYTES);
        // every battery id read, and nothing after them
        if (c.batteriesPtr != c.ordersEnd) {
            revert MarketOrdersMalformed(c.ordersLength, c.orders);
        }
        _closeChunk(s, c, header);
    }

    function _openChunk(
        IntervalInfo storage s,
        uint64 interval,
        ClearingHeader calldata header,
        bytes calldata orders,
        bool isFinal
    ) private returns (ChunkContext memory c) {
        // `c` was allocated on entry, as the call's first allocation: at the address the
        // CX_* constants assume; the hashing scratch (H_*) is allocated right after it
        assembly ("memory-safe") {
            if iszero(and(eq(c, 0x80), eq(mload(0x40), CX_END))) {
                mstore(0x00, 0x4e487b71)
                mstore(0x20, 0x01)
                revert(0x1c, 0x24)
            }
            mstore(0x40, H_END)
        }
        uint256 n = _readOrders(c, orders);
        IntervalStatus status = s.status;
        if (status == IntervalStatus.Open) revert MarketIntervalNotCommitted(interval);
        if (status == IntervalStatus.Cleared) revert MarketIntervalAlreadyCleared(interval);
        if (!s.tariffsPosted) revert MarketTariffsMissing(interval);
        c.first = status == IntervalStatus.BookCommitted;
        c.isFinal = isFinal;
        _checkChunkShape(s, interval, n, isFinal, c.first);

        uint256 feederCount = registry.feederCount();
        {
            FeederResult[] calldata feeders = header.feeders;
            if (feeders.length != feederCount) revert MarketFeederCountMismatch(feederCount, feeders.length);
            uint256 feedersOffset;
            assembly ("memory-safe") {
                feedersOffset := feeders.offset
            }
            c.feedersOffset = feedersOffset;
        }
        if (!(c.first && isFinal)) {
            bytes32 headerHash = keccak256(abi.encode(header));
            if (c.first) s.headerHash = headerHash;
            else if (headerHash != s.headerHash) revert MarketClearingHeaderMismatch(interval);
        }
        c.interval = interval;
        c.committedAt = s.committedAt;
        c.domainSeparator = _domainSeparatorV4();
        c.feederCount = feederCount;
        c.chunk = s.chunksCleared;
        c.orders = n;
        // the parts of the hashes that are the same for every order of the chunk
        bytes32 domainSeparator = c.domainSeparator;
        assembly ("memory-safe") {
            mstore(H_STRUCT, ORDER_TYPEHASH)
            mstore(H_INTERVAL, interval)
            mstore(H_DIGEST, 0x1901)
            mstore(add(H_DIGEST, 0x20), domainSeparator)
        }
        _allocateChunk(c, n, feederCount);
        if (!c.first) _loadCarry(c, feederCount);
    }

    /// @dev The chunk's buffers, sized once from the order count, and its cursors.
    function _allocateChunk(ChunkContext memory c, uint256 n, uint256 feederCount) private pure {
        c.feederNet = new int256[](feederCount + 1);
        c.leaves = new bytes32[](n);
        // A chunk closes at most one position per order plus the position carried in from
        // the previous chunk (a meter whose orders straddle the boundary), hence n + 1; the
        // extra 32 bytes take the tail of the last position's second 32-byte store.
        c.positions = new bytes((n + 1) * POSITION_BYTES + 32);
        c.escrows = new bytes((n + 1) * 32);
        bytes memory positions = c.positions;
        bytes memory escrows = c.escrows;
        int256[] memory feederNet = c.feederNet;
        bytes32[] memory leaves = c.leaves;
        assembly ("memory-safe") {
            mstore(CX_POSITIONS_PTR, add(positions, 0x20))
            mstore(CX_ESCROWS_PTR, add(escrows, 0x20))
            mstore(CX_FEEDER_NET_PTR, add(feederNet, 0x20))
            mstore(CX_LEAVES_PTR, add(leaves, 0x20))
        }
    }

    function _closeChunk(IntervalInfo storage s, ChunkContext memory c, ClearingHeader calldata header) private {
        uint64 interval = uint64(c.interval);
        // (the final chunk's last position was closed by its run)
        bytes memory positions = c.positions;
        bytes memory escrows = c.escrows;
        uint256 positionsPtr = c.positionsPtr;
        uint256 escrowsPtr = c.escrowsPtr;
        // shrink the buffers to what was written (their tails are simply no longer referenced)
        assembly ("memory-safe") {
            mstore(positions, sub(positionsPtr, add(positions, 0x20)))
            mstore(escrows, sub(escrowsPtr, add(escrows, 0x20)))
        }
        if (escrows.length > 0) ledger.lockEscrow(escrows);
        bytes32 positionsHash = keccak256(positions);
        // a chunk without positions has nothing to settle: it counts as settled at once
        uint256 positionCount = positions.length / POSITION_BYTES;
        if (positionCount > 0) _positionsHashes[interval][c.chunk] = positionsHash;
        else ++s.chunksSettled;
        _checkRoot(s, interval, c.leaves, c.chunk, c.first, c.isFinal);
        // chunk counts are bounded by the uint32 order count over chunks of at least one order
        s.chunksCleared = uint16(c.chunk + 1);
        s.ordersCleared += uint32(c.orders);
        emit ClearingChunkAccepted(interval, c.chunk, c.orders, positionCount, positionsHash);
        if (c.isFinal) {
            _checkNetwork(s, interval, header, c.feederNet);
            s.status = IntervalStatus.Cleared;
            s.connectionPrice = header.connectionPrice;
            emit IntervalCleared(interval, s.orderCount, header.connectionPrice, header.gridImportWh);
        } else {
            s.status = IntervalStatus.Clearing;
            _storeCarry(c, c.feederCount);
        }
    }

    function _checkChunkShape(IntervalInfo storage s, uint64 interval, uint256 n, bool isFinal, bool first)
        private
    {
        uint256 remaining = s.orderCount - s.ordersCleared;
        if (isFinal) {
            if (n != remaining) revert MarketOrderCountMismatch(interval, remaining, n);
            if (!first && n > (uint256(1) << s.chunkLog2)) revert MarketChunkSizeInvalid(interval, n);
            return;
        }
        // a non-final chunk: a power of two, smaller than what remains, the same every time
        if (n == 0 || n >= remaining || n & (n - 1) != 0) revert MarketChunkSizeInvalid(interval, n);
        if (first) {
            uint8 log2;
            while ((uint256(1) << log2) < n) ++log2;
            s.chunkLog2 = log2;
        } else if (n != (uint256(1) << s.chunkLog2)) {
            revert MarketChunkSizeInvalid(interval, n);
        }
    }

    /// @dev Reads the layout of the packed orders (count, meter ids, bodies, battery ids: see
    ///      "packed calldata" in IMarket) into the context, and the registry words of the
    ///      orders' meters in one call (`Registry.meterWord` with the ids appended, which is
    ///      exactly the ids section): word k, for order k, at `c.wordsPtr` + 32k.
    function _readOrders(ChunkContext memory c, bytes calldata orders) private view returns (uint256 n) {
        address registryAddress = address(registry);
        uint256 length = orders.length;
        uint256 ids;
        assembly ("memory-safe") {
            ids := add(orders.offset, 4)
            if gt(length, 3) { n := shr(224, calldataload(orders.offset)) }
        }
        // the count, n ids and n bodies at least (n < 2^32: no overflow); no bytes at all
        // are no orders
        if (length > 0 && (length < 4 || length < 4 + n * (32 + BODY_BYTES))) {
            revert MarketOrdersMalformed(length, 0);
        }
        uint256 words;
        assembly ("memory-safe") {
            // the request is built in free memory and the words replace it
            words := mload(0x40)
            let size := shl(5, n)
            if n {
                mstore(words, METER_WORD_SELECTOR)
                calldatacopy(add(words, 4), ids, size)
                if iszero(staticcall(gas(), registryAddress, words, add(size, 4), words, size)) {
                    returndatacopy(words, 0, returndatasize())
                    revert(words, returndatasize())
                }
                if iszero(eq(returndatasize(), size)) { revert(0, 0) }
            }
            mstore(0x40, add(words, add(size, 0x20)))
        }
        c.wordsPtr = words;
        c.idsPtr = ids;
        c.bodiesOffset = ids + n * 32;
        c.batteriesPtr = ids + n * (32 + BODY_BYTES);
        c.ordersLength = length;
        c.ordersEnd = length == 0 ? ids : ids - 4 + length;
    }

    /// @dev Clears the chunk's orders in calldata [p, end): runs `_clearRun` and handles its
    ///      stops (a battery to dispatch, or a violation to report).
    function _clearOrders(ChunkContext memory c, uint256 p, uint256 end) private {
        while (true) {
            p = _clearRun(p, end, c.isFinal);
            uint256 stop = c.stop;
            if (stop == 0) return;
            if (stop == STOP_BATTERY) {
                _dispatchBattery(c, c.at);
            } else if (stop == STOP_INVALID) {
                _revertOrder(c, c.at);
            } else if (stop == STOP_ESCROW) {
                // ceil(bought x price / 1000), both below 2^64
                uint256 escrow;
                unchecked {
                    escrow = (c.posBought * c.posPrice + 999) / 1000;
                }
                revert MarketEscrowTooLarge(uint32(c.lastMeterIndex), escrow);
            } else {
                // a meter's fills on one side beyond 64 bits: what checked arithmetic reports
                _panic(0x11);
            }
        }
    }

    /// @dev Names the first violation of the order whose body is at calldata offset `p`,
    ///      which `_clearRun` found invalid: the checks again, one by one, in their
    ///      documented order. The run left the order's meter id, battery id and digest in the
    ///      hashing scratch.
    function _revertOrder(ChunkContext memory c, uint256 p) private view {
        uint256 flags;
        bytes32 batteryId;
        bytes32 meterId;
        uint64 expiry;
        assembly ("memory-safe") {
            flags := byte(0, calldataload(p))
            batteryId := mload(H_BATTERY)
            meterId := mload(H_METER)
            expiry := shr(192, calldataload(add(p, O_EXPIRY)))
        }
        // unknown flag bits, or the battery flag with a zero battery id
        if (flags > (ORDER_SELL | ORDER_HAS_BATTERY)) {
            revert MarketOrdersMalformed(c.ordersLength, (p - c.bodiesOffset) / BODY_BYTES);
        }
        if (flags & ORDER_HAS_BATTERY != 0 && batteryId == bytes32(0)) {
            revert MarketOrdersMalformed(0, (c.positionsPtr - _dataOf(c.positions)) / POSITION_BYTES);
        }
        (uint256 word, uint64 price) = _revertMeter(c, meterId);
        address owner = address(uint160(word));
        bytes32 digest;
        assembly ("memory-safe") {
            digest := keccak256(add(H_DIGEST, 30), 66)
        }
        if (expiry < c.committedAt) revert MarketOrderExpired(digest, expiry);
        address signer = _recoverSigner(p, digest);
        if (signer == address(0) || signer != owner) revert MarketOrderSignatureInvalid(digest, signer);
        uint256 index = uint32(word >> 176);
        if (
            c.hasLast != 0
                && (index < c.lastMeterIndex || (index == c.lastMeterIndex && digest <= c.lastDigest))
        ) {
            revert MarketOrderOutOfSequence(digest, uint32(index));
        }
        _revertFill(p, digest, price);
    }

    /// @dev The meter checks of `_revertOrder`; returns the meter's registry word and its
    ///      feeder's price.
    function _revertMeter(ChunkContext memory c, bytes32 meterId) private view returns (uint256 word, uint64 price) {
        word = registry.meterWord(meterId);
        if (uint8(word >> 208) == 0) revert MarketMeterInactive(meterId);
        uint256 feeder = uint16(word >> 160);
        // a registry meter outside the header's feeders: an out-of-bounds access
        if (feeder == 0 || feeder > c.feederCount) _panic(0x32);
        uint256 priceWord;
        uint256 at = c.feedersOffset + (feeder - 1) * 64;
        assembly ("memory-safe") {
            priceWord := calldataload(at)
        }
        // the ABI's validation of a uint64 in calldata
        if (priceWord > type(uint64).max) revert();
        price = uint64(priceWord);
    }

    /// @dev The fill checks of `_revertOrder`: fill bound and pay-as-clear.
    function _revertFill(uint256 p, bytes32 digest, uint64 price) private pure {
        bool sell;
        uint64 energy;
        uint64 limit;
        uint64 fill;
        assembly ("memory-safe") {
            sell := and(byte(0, calldataload(p)), ORDER_SELL)
            energy := shr(192, calldataload(add(p, O_ENERGY)))
            limit := shr(192, calldataload(add(p, O_LIMIT)))
            fill := shr(192, calldataload(add(p, O_FILL)))
        }
        if (fill > energy) revert MarketFillExceedsOrder(digest, fill, energy);
        if (sell ? limit < price : limit > price) {
            if (fill != energy) revert MarketOrderInTheMoneyNotFilled(digest, limit, price, fill);
        } else if (sell ? limit > price : limit < price) {
            if (fill != 0) revert MarketOrderOutOfTheMoneyFilled(digest, limit, price, fill);
        }
        // `_clearRun` found a violation, so one of the checks above names it
        assert(false);
    }

    /// @dev The address of the first byte of `b`'s data.
    function _dataOf(bytes memory b) private pure returns (uint256 data) {
        assembly ("memory-safe") {
            data := add(b, 0x20)
        }
    }

    function _panic(uint256 code) private pure {
        assembly ("memory-safe") {
            mstore(0x00, 0x4e487b71)
            mstore(0x20, code)
            revert(0x1c, 0x24)
        }
    }

    /// @dev The signer of the order body at `p` (zero for a high `s` or a failed recovery).
    function _recoverSigner(uint256 p, bytes32 digest) private pure returns (address signer) {
        bytes32 r;
        uint256 vs;
        assembly ("memory-safe") {
            r := calldataload(add(p, O_R))
            vs := calldataload(add(p, O_VS))
        }
        uint256 sigS = vs & ((uint256(1) << 255) - 1);
        if (sigS <= HALF_ORDER) signer = ecrecover(digest, uint8((vs >> 255) + 27), r, bytes32(sigS));
    }

    /// @dev The filled order whose body is at `p` carries a battery id: check that the
    ///      battery belongs to the order's meter and can take the power, and dispatch it. The
    ///      run left the order's owner, meter id and battery id in the hashing scratch.
    function _dispatchBattery(ChunkContext memory c, uint256 p) private {
        uint64 fill;
        bool sell;
        bytes32 batteryId;
        bytes32 meterId;
        address owner;
        assembly ("memory-safe") {
            fill := shr(192, calldataload(add(p, O_FILL)))
            sell := and(byte(0, calldataload(p)), ORDER_SELL)
            batteryId := mload(H_BATTERY)
            meterId := mload(H_METER)
            owner := mload(H_MAKER)
        }
        IRegistry.Battery memory b = registry.battery(batteryId);
        if (b.owner != owner || b.meterId != meterId) {
            revert MarketBatteryMismatch(batteryId, owner, meterId);
        }
        uint256 powerW = uint256(fill) * 3600 / intervalSeconds;
        uint32 maxW = sell ? b.maxDischargeW : b.maxChargeW;
        if (powerW > maxW) revert MarketBatteryPowerExceeded(batteryId, powerW, maxW);
        // powerW <= maxW < 2^32, so it fits int64 either way
        int64 signedPower = sell ? -int64(uint64(powerW)) : int64(uint64(powerW));
        // the order's digest is the last one the run recorded
        emit BatteryDispatched(batteryId, uint64(c.interval), signedPower, c.lastDigest);
    }

    /// @dev Checks and adds the orders whose bodies are in calldata [p, end) until the end or
    ///      a stop (`STOP_*`, with the order's body offset, in the context); returns where it
    ///      stopped. The hot path folds every check of an order into one flag and stops at the
    ///      first order that fails any; `_revertOrder` then re-runs the checks one by one, in
    ///      their documented order, to name the violation. With `closeAtEnd`, the open
    ///      position is closed once the orders are done (the final chunk).
    ///      The order's maker and interval are not in the packed order: its digest is hashed
    ///      with the meter's registered owner and the clearing's interval, so an order signed
    ///      by anyone else, or for another interval, does not recover to the owner.
    function _clearRun(uint256 p, uint256 end, bool closeAtEnd) private view returns (uint256) {
        assembly ("memory-safe") {
            // The open position is complete: queue the escrow of its purchases
            // (ceil(bought x price / 1000), both below 2^64) and append the packed position.
            // False (nothing written) when the escrow does not fit 96 bits. Used at the end
            // of the run; the loop has its own copy where a new meter starts (a call there
            // costs about 30 gas an order): keep the two in step.
            function closePosition() -> ok {
                let escrow := div(add(mul(mload(CX_POS_BOUGHT), mload(CX_POS_PRICE)), 999), 1000)
                if shr(96, escrow) { leave }
                ok := 1
                // at most one escrow and one position per order plus the carried one: within
                // the buffers (n + 1)
                if escrow {
                    let q := mload(CX_ESCROWS_PTR)
                    mstore(q, or(shl(96, mload(CX_POS_OWNER)), escrow))
                    mstore(CX_ESCROWS_PTR, add(q, 0x20))
                }
                let wp := mload(CX_POSITIONS_PTR)
                mstore(wp, or(shl(224, mload(CX_LAST_INDEX)), shl(64, mload(CX_POS_OWNER))))
                mstore(
                    add(wp, 24),
                    or(
                        or(shl(192, mload(CX_POS_PRICE)), shl(128, mload(CX_POS_SOLD))),
                        shl(64, mload(CX_POS_BOUGHT))
                    )
                )
                mstore(CX_POSITIONS_PTR, add(wp, POSITION_BYTES))
            }

            mstore(CX_STOP, 0)
            let ip := mload(CX_IDS_PTR)
            let wp := mload(CX_WORDS_PTR)
            for {} lt(p, end) {
                p := add(p, BODY_BYTES)
                ip := add(ip, 0x20)
                wp := add(wp, 0x20)
            } {
                let flags := byte(0, calldataload(p))
                // unknown flag bits; a battery id from the batteries section
                let bad := gt(flags, or(ORDER_SELL, ORDER_HAS_BATTERY))
                let battery := 0
                if and(flags, ORDER_HAS_BATTERY) {
                    let bp := mload(CX_BATTERIES_PTR)
                    battery := calldataload(bp)
                    mstore(CX_BATTERIES_PTR, add(bp, BATTERY_BYTES))
                    bad := or(bad, iszero(battery))
                }
                // the order's registry word (`_readOrders`)
                let word := mload(wp)
                let owner := shr(96, shl(96, word))
                let index := and(shr(176, word), 0xffffffff)
                let same := and(mload(CX_HAS_LAST), eq(index, mload(CX_LAST_INDEX)))
                // a new meter: active, and its feeder one of the header's (feeder - 1 wraps
                // around for feeder 0); its feeder's price, header.feeders[f].price (two
                // static words an element; read anyway for a bad feeder, which stops the run;
                // the final chunk's network check reads every price through the ABI decoder,
                // which refuses dirty bits)
                if iszero(same) {
                    let f := sub(and(shr(160, word), 0xffff), 1)
                    bad := or(bad, iszero(and(gt(and(shr(208, word), 0xff), 0), lt(f, mload(CX_FEEDER_COUNT)))))
                    mstore(CX_METER_PRICE, calldataload(add(mload(CX_FEEDERS), shl(6, f))))
                }
                // the EIP-712 digest, signed by the meter's owner
                mstore(H_MAKER, owner)
                mstore(H_METER, calldataload(ip))
                mstore(H_SIDE, and(flags, ORDER_SELL))
                // the four uint64 fields into the low 8 bytes of their words, whose high bytes
                // nothing else writes (zero since the scratch was allocated)
                calldatacopy(add(H_ENERGY, 24), add(p, O_ENERGY), 8)
                calldatacopy(add(H_LIMIT, 24), add(p, O_LIMIT), 8)
                calldatacopy(add(H_NONCE, 24), add(p, O_NONCE), 8)
                calldatacopy(add(H_EXPIRY, 24), add(p, O_EXPIRY), 8)
                mstore(H_BATTERY, battery)
                mstore(add(H_DIGEST, 0x40), keccak256(H_STRUCT, 0x140))
                let dg := keccak256(add(H_DIGEST, 30), 66)
                // compact signature (EIP-2098): r and vs copied as they are, then v = 27 +
                // the top bit of vs and s = vs without it; a high s is refused; a failed
                // recovery returns no data and leaves 0x00 zero
                mstore(H_RECOVER, dg)
                calldatacopy(add(H_RECOVER, 0x40), add(p, O_R), 64)
                {
                    let vs := mload(add(H_RECOVER, 0x60))
                    mstore(add(H_RECOVER, 0x20), add(shr(255, vs), 27))
                    vs := shr(1, shl(1, vs))
                    mstore(add(H_RECOVER, 0x60), vs)
                    bad := or(bad, gt(vs, HALF_ORDER))
                }
                mstore(0x00, 0)
                pop(staticcall(gas(), 1, H_RECOVER, 0x80, 0x00, 0x20))
                bad := or(bad, or(iszero(eq(mload(0x00), owner)), iszero(owner)))
                // not expired before the book's commitment
                bad := or(bad, lt(mload(H_EXPIRY), mload(CX_COMMITTED_AT)))
                // book order: by meter index, then by digest, strictly (so no order twice);
                // before the first order the last index is zero and `same` false
                bad := or(bad, or(lt(index, mload(CX_LAST_INDEX)), and(same, iszero(gt(dg, mload(CX_LAST_DIGEST))))))
                // the fill: at most the order's energy; pay-as-clear: strictly in the money
                // (a buy's limit above the price, a sell's below it) means filled completely,
                // strictly out of the money not at all
                let fill := shr(192, calldataload(add(p, O_FILL)))
                {
                    let energy := mload(H_ENERGY)
                    let hi := mload(H_LIMIT)
                    let lo := mload(CX_METER_PRICE)
                    if and(flags, ORDER_SELL) {
                        let t := hi
                        hi := lo
                        lo := t
                    }
                    bad := or(bad, gt(fill, energy))
                    bad := or(bad, or(and(gt(hi, lo), iszero(eq(fill, energy))), and(lt(hi, lo), gt(fill, 0))))
                }
                if bad {
                    mstore(CX_STOP, STOP_INVALID)
                    break
                }

                // a new meter: close the open position, open this meter's
                if iszero(same) {
                    // close the open position: `closePosition`, written out here, the hot path
                    if mload(CX_HAS_LAST) {
                        let escrow := div(add(mul(mload(CX_POS_BOUGHT), mload(CX_POS_PRICE)), 999), 1000)
                        if shr(96, escrow) {
                            mstore(CX_STOP, STOP_ESCROW)
                            break
                        }
                        if escrow {
                            let q := mload(CX_ESCROWS_PTR)
                            mstore(q, or(shl(96, mload(CX_POS_OWNER)), escrow))
                            mstore(CX_ESCROWS_PTR, add(q, 0x20))
                        }
                        escrow := mload(CX_POSITIONS_PTR) // now the position's address
                        mstore(escrow, or(shl(224, mload(CX_LAST_INDEX)), shl(64, mload(CX_POS_OWNER))))
                        mstore(
                            add(escrow, 24),
                            or(
                                or(shl(192, mload(CX_POS_PRICE)), shl(128, mload(CX_POS_SOLD))),
                                shl(64, mload(CX_POS_BOUGHT))
                            )
                        )
                        mstore(CX_POSITIONS_PTR, add(escrow, POSITION_BYTES))
                    }
                    mstore(CX_POS_OWNER, owner)
                    mstore(CX_POS_PRICE, mload(CX_METER_PRICE))
                    mstore(CX_POS_SOLD, 0)
                    mstore(CX_POS_BOUGHT, 0)
                    mstore(CX_HAS_LAST, 1)
                    mstore(CX_LAST_INDEX, index)
                }
                // the meter's fills on each side must fit the position's uint64 fields
                // (only a continued position can overflow); the feeder's net fills
                {
                    // feeder in 1 .. feederCount (checked when the meter was read); net fills
                    // stay far inside int256 (at most 2^32 fills below 2^64 each)
                    let net := add(mload(CX_FEEDER_NET_PTR), shl(5, and(shr(160, word), 0xffff)))
                    let field := CX_POS_BOUGHT
                    switch and(flags, ORDER_SELL)
                    case 0 { mstore(net, sub(mload(net), fill)) }
                    default {
                        mstore(net, add(mload(net), fill))
                        field := CX_POS_SOLD
                    }
                    let total := add(mload(field), fill)
                    if shr(64, total) {
                        mstore(CX_STOP, STOP_OVERFLOW)
                        break
                    }
                    mstore(field, total)
                }
                mstore(CX_LAST_DIGEST, dg)
                // one leaf per order: within the n leaves allocated
                {
                    let leaf := mload(CX_LEAVES_PTR)
                    mstore(leaf, dg)
                    mstore(CX_LEAVES_PTR, add(leaf, 0x20))
                }
                // a filled order with a battery: dispatched by the caller, after which the
                // run goes on from the next order
                if battery {
                    if fill {
                        mstore(CX_STOP, STOP_BATTERY)
                        mstore(CX_AT, p)
                        p := add(p, BODY_BYTES)
                        ip := add(ip, 0x20)
                        wp := add(wp, 0x20)
                        break
                    }
                }
            }
            mstore(CX_IDS_PTR, ip)
            mstore(CX_WORDS_PTR, wp)
            if iszero(mload(CX_STOP)) {
                if and(closeAtEnd, gt(mload(CX_HAS_LAST), 0)) {
                    if iszero(closePosition()) { mstore(CX_STOP, STOP_ESCROW) }
                }
            }
            if eq(mload(CX_STOP), STOP_INVALID) { mstore(CX_AT, p) }
        }
        return p;
    }

    function _checkRoot(
        IntervalInfo storage s,
        uint64 interval,
        bytes32[] memory leaves,
        uint256 chunk,
        bool first,
        bool isFinal
    ) private {
        bytes32 computed;
        if (first && isFinal) {
            computed = BookMerkle.rootFromLevel(leaves, 0);
        } else {
            uint8 log2 = s.chunkLog2;
            _chunkRoots[interval][chunk] = BookMerkle.subtreeRoot(leaves, log2);
            if (!isFinal) return;
            bytes32[] memory roots = new bytes32[](chunk + 1);
            for (uint256 i; i <= chunk; ++i) {
                roots[i] = _chunkRoots[interval][i];
            }
            computed = BookMerkle.rootFromLevel(roots, log2);
        }
        if (computed != s.bookRoot) revert MarketBookRootMismatch(interval, computed, s.bookRoot);
    }

    /// @dev The network half of the equilibrium: every feeder balances, flows keep to the
    ///      envelopes, prices differ across a line only where it is congested in the
    ///      direction of the price difference, and the grid supplies at the import tariff
    ///      and buys at the feed-in tariff up to the connection's limits.
    function _checkNetwork(
        IntervalInfo storage s,
        uint64 interval,
        ClearingHeader calldata header,
        int256[] memory feederNet
    ) private view {
        IRegistry.Envelope[] memory env = registry.envelopesAt(interval);
        uint64 p0 = header.connectionPrice;
        int256 feederFlows;
        for (uint256 f = 1; f < feederNet.length; ++f) {
            FeederResult calldata fr = header.feeders[f - 1];
            uint16 id = uint16(f); // f <= feederCount <= MAX_FEEDERS
            if (feederNet[f] != fr.flowWh) revert MarketFeederUnbalanced(id, feederNet[f], fr.flowWh);
            _checkLimit(id, fr.flowWh, env[f]);
            bool importBinds = fr.flowWh == -int256(uint256(env[f].importLimitWh));
            bool exportBinds = fr.flowWh == int256(uint256(env[f].exportLimitWh));
            if ((fr.price > p0 && !importBinds) || (fr.price < p0 && !exportBinds)) {
                revert MarketPriceSeparationUnjustified(id, fr.price, p0, fr.flowWh);
            }
            feederFlows += fr.flowWh;
        }
        int64 g = header.gridImportWh;
        if (feederFlows + g != 0) revert MarketConnectionUnbalanced(feederFlows, g);
        _checkLimit(0, -int256(g), env[0]);
        uint64 imp = s.importTariff;
        uint64 fit = s.feedInTariff;
        bool importAtLimit = int256(g) == int256(uint256(env[0].importLimitWh));
        bool exportAtLimit = -int256(g) == int256(uint256(env[0].exportLimitWh));
        if ((p0 > imp && !importAtLimit) || (p0 < fit && !exportAtLimit) || (g > 0 && p0 < imp) || (g < 0 && p0 > fit))
        {
            revert MarketConnectionPriceOutOfBand(p0, fit, imp, g);
        }
    }

    function _checkLimit(uint16 feederId, int256 exportWh, IRegistry.Envelope memory e) private pure {
        if (exportWh > int256(uint256(e.exportLimitWh)) || -exportWh > int256(uint256(e.importLimitWh))) {
            revert MarketFlowOverLimit(feederId, exportWh, e.importLimitWh, e.exportLimitWh);
        }
    }

    function _loadCarry(ChunkContext memory c, uint256 feederCount) private view {
        uint64 interval = uint64(c.interval);
        Carry storage k = _carry[interval];
        c.hasLast = k.hasLast ? 1 : 0;
        c.lastMeterIndex = k.lastMeterIndex;
        c.lastDigest = k.lastDigest;
        if (k.hasLast) {
            c.posOwner = uint256(uint160(k.posOwner));
            c.posPrice = k.posPrice;
            // the carried meter's orders go on without reading it again (`_clearRun`)
            c.meterPrice = k.posPrice;
            c.posSold = k.posSold;
            c.posBought = k.posBought;
        }
        for (uint256 f = 1; f <= feederCount; ++f) {
            c.feederNet[f] = _feederNet[interval][f];
        }
    }

    function _storeCarry(ChunkContext memory c, uint256 feederCount) private {
        uint64 interval = uint64(c.interval);
        // meter indices come from the registry's uint32; positions' fields were checked to
        // fit 64 bits as they were summed, and prices are the header's uint64
        _carry[interval] = Carry({
            lastDigest: c.lastDigest,
            lastMeterIndex: uint32(c.lastMeterIndex),
            hasLast: c.hasLast != 0,
            posOwner: address(uint160(c.posOwner)),
            posPrice: uint64(c.posPrice),
            posSold: uint64(c.posSold),
            posBought: uint64(c.posBought)
        });
        for (uint256 f = 1; f <= feederCount; ++f) {
            _feederNet[interval][f] = c.feederNet[f];
        }
    }

    // =========================================================================================
    // readings
    // =========================================================================================

    /// @inheritdoc IMarket
    function postReadings(uint64 interval, MeterReading[] calldata readings)
        external
        onlyRole(METER_ORACLE_ROLE)
        whenNotPaused
    {
        if (readingQuorum > 1) revert MarketQuorumRequired(readingQuorum);
        _postReadings(interval, readings);
    }

    /// @inheritdoc IMarket
    function postReadingsAttested(
        uint64 interval,
        MeterReading[] calldata readings,
        Signature[] calldata signatures
    )
        external
        onlyRole(METER_ORACLE_ROLE)
        whenNotPaused
    {
        bytes32 digest = _hashTypedDataV4(OrderHashing.hashReadings(interval, readings));
        address previous;
        for (uint256 i; i < signatures.length; ++i) {
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signatures[i].r, signatures[i].vs);
            // ascending signers make duplicates impossible without a set
            if (err != ECDSA.RecoverError.NoError || signer <= previous || !hasRole(METER_ORACLE_ROLE, signer)) {
                revert MarketAttestationInvalid(i, signer);
            }
            previous = signer;
        }
        if (signatures.length < readingQuorum) revert MarketQuorumNotMet(readingQuorum, signatures.length);
        _postReadings(interval, readings);
    }

    /// @dev Six readings share a storage word (`ReadingWords`); the word being filled stays
    ///      on the stack and is written once when the batch moves past it. The readings are
    ///      read as raw calldata words: the range checks below (meter index below the meter
    ///      count, energies at most `MAX_WH`) are stricter than ABI validation of the types.
    function _postReadings(uint64 interval, MeterReading[] calldata readings) private {
        {
            uint64 endsAt = (interval + 1) * intervalSeconds;
            if (block.timestamp < endsAt) revert MarketIntervalNotEnded(interval, endsAt);
        }
        uint256 meterCount = registry.meterCount();
        mapping(uint256 word => uint256) storage words = _readings[interval];
        uint256 wordIndex = type(uint256).max;
        uint256 word;
        bool dirty;
        uint256 added;
        uint256 p;
        uint256 end;
        assembly ("memory-safe") {
            p := readings.offset
            end := add(p, mul(readings.length, 96))
        }
        // p walks the calldata array in 96-byte steps; index < meterCount < 2^32 and both
        // energies <= MAX_WH < 2^21, so the word index, the shift and the entry are small
        unchecked {
            for (; p < end; p += 96) {
                uint256 index;
                uint256 importWh;
                uint256 exportWh;
                assembly ("memory-safe") {
                    index := calldataload(p)
                    importWh := calldataload(add(p, 32))
                    exportWh := calldataload(add(p, 64))
                }
                if (index >= meterCount) revert MarketMeterIndexUnknown(uint32(index));
                if (importWh > ReadingWords.MAX_WH || exportWh > ReadingWords.MAX_WH) {
                    revert MarketReadingTooLarge(uint32(index), uint64(importWh), uint64(exportWh));
                }
                if (index / ReadingWords.PER_WORD != wordIndex) {
                    if (dirty) words[wordIndex] = word;
                    wordIndex = index / ReadingWords.PER_WORD;
                    word = words[wordIndex];
                    dirty = false;
                }
                index = (index % ReadingWords.PER_WORD) * ReadingWords.BITS; // now the shift
                importWh = ((importWh + 1) << ReadingWords.FIELD_BITS) | exportWh; // now the entry
                exportWh = (word >> index) & ReadingWords.ENTRY_MASK; // now the posted entry
                if (exportWh == 0) {
                    word |= importWh << index;
                    dirty = true;
                    ++added;
                } else if (exportWh != importWh) {
                    _revertConflict(interval, p, exportWh);
                }
            }
        }
        if (dirty) words[wordIndex] = word;
        emit ReadingsPosted(interval, readings.length, added);
    }

    /// @dev Reverts with the posted reading and the different one at calldata offset `p`.
    function _revertConflict(uint64 interval, uint256 p, uint256 entry) private pure {
        (, uint64 postedImport, uint64 postedExport) = ReadingWords.decode(entry);
        uint256 index;
        uint256 importWh;
        uint256 exportWh;
        assembly ("memory-safe") {
            index := calldataload(p)
            importWh := calldataload(add(p, 32))
            exportWh := calldataload(add(p, 64))
        }
        // all three were range-checked by the caller
        revert MarketReadingConflict(
            interval, uint32(index), postedImport, postedExport, uint64(importWh), uint64(exportWh)
        );
    }

    // =========================================================================================
    // settlement
    // =========================================================================================

    /// @inheritdoc IMarket
    function settlePositions(uint64 interval, uint256 chunk, bytes calldata positions) external whenNotPaused {
        IntervalInfo storage s = _intervals[interval];
        if (s.status != IntervalStatus.Cleared) revert MarketIntervalNotCleared(interval);
        if (chunk >= s.chunksCleared) revert MarketChunkUnknown(interval, chunk);
        // a settled chunk's hash is deleted (which refunds its slot); a cleared chunk's hash,
        // a keccak256, is never zero
        bytes32 positionsHash = _positionsHashes[interval][chunk];
        if (positionsHash == bytes32(0)) revert MarketChunkAlreadySettled(interval, chunk);
        if (keccak256(positions) != positionsHash) revert MarketPositionsMismatch(interval, chunk);
        delete _positionsHashes[interval][chunk];
        ++s.chunksSettled;

        // the hash matched what the clearing wrote: whole 48-byte positions
        uint256 n = positions.length / POSITION_BYTES;
        SettleContext memory c = _settleContext(s, interval, n);
        uint256 p;
        assembly ("memory-safe") {
            p := positions.offset
        }
        uint256 missing = _settleRun(c, p, p + positions.length);
        if (missing != 0) revert MarketReadingMissing(interval, uint32(missing - 1));
        _finishSettlement(c);
        emit PositionsSettled(interval, chunk, n);
    }

    /// @dev Settles the packed positions in calldata [p, end) (what `_settleMeter` does for
    ///      one meter, inlined for the positions of a chunk, whose meter indices increase:
    ///      the current reading word and flag word stay on the stack). Returns 1 + the meter
    ///      index of the first position without a reading when missing readings do not count
    ///      as zero, else 0. A position's meter is settled here only (one position per meter
    ///      and book, and `settleMeters` waits for every chunk), so its flags are set without
    ///      being checked.
    function _settleRun(SettleContext memory c, uint256 p, uint256 end) private returns (uint256 missing) {
        assembly ("memory-safe") {
            let q := mload(add(c, SX_ENTRIES_PTR))
            let prev := not(0) // the previous position's meter index; none yet
            let readingWord := 0
            let flagWord := 0
            // c.runBound: the meter index from which the reading word or the flag word held
            // changes (indices increase along the positions); below it, both are right
            for {} lt(p, end) { p := add(p, POSITION_BYTES) } {
                let idx := shr(224, calldataload(p))
                if iszero(lt(idx, mload(add(c, SX_RUN_BOUND)))) {
                    // the reading: 42 bits a meter, six a word (`ReadingWords`)
                    if iszero(eq(div(idx, 6), div(prev, 6))) {
                        mstore(0x00, div(idx, 6))
                        mstore(0x20, mload(add(c, SX_READINGS_BASE)))
                        readingWord := sload(keccak256(0x00, 0x40))
                    }
                    // settled with a position: one bit a meter, 256 a word, written back when
                    // the word changes
                    if iszero(eq(shr(8, idx), shr(8, prev))) {
                        mstore(0x20, mload(add(c, SX_POSITION_METERS_BASE)))
                        if iszero(eq(prev, not(0))) {
                            mstore(0x00, shr(8, prev))
                            sstore(keccak256(0x00, 0x40), flagWord)
                        }
                        mstore(0x00, shr(8, idx))
                        flagWord := sload(keccak256(0x00, 0x40))
                    }
                    let bound := mul(add(div(idx, 6), 1), 6)
                    if lt(shl(8, add(shr(8, idx), 1)), bound) { bound := shl(8, add(shr(8, idx), 1)) }
                    mstore(add(c, SX_RUN_BOUND), bound)
                }
                prev := idx
                flagWord := or(flagWord, shl(and(idx, 255), FLAG_HAS_POSITION))
                let importWh := and(shr(mul(mod(idx, 6), 42), readingWord), 0x3ffffffffff) // the entry
                if iszero(importWh) {
                    if iszero(mload(add(c, SX_MISSING_AS_ZERO))) {
                        missing := add(idx, 1)
                        break
                    }
                }
                let exportWh := and(importWh, 0x1fffff)
                // the entry's high field holds importWh + 1 (an empty entry: zero)
                importWh := sub(shr(21, importWh), gt(importWh, 0))
                let amounts := shr(64, calldataload(add(p, 24))) // price | sold | bought
                // word 0: owner | meter index | export | delivered = min(sold, export)
                {
                    let delivered := shr(192, shl(128, amounts))
                    if lt(exportWh, delivered) { delivered := exportWh }
                    mstore(
                        q,
                        or(
                            or(and(calldataload(add(p, 4)), not(0xffffffffffffffffffffffff)), shl(64, idx)),
                            or(shl(32, exportWh), delivered)
                        )
                    )
                    // the reward: rewardPerKwh per kWh delivered or bought and used, capped;
                    // word 1's low 64 bits (the rest is or-ed in below; zero in the fresh
                    // buffer when there is no reward)
                    let reward := mload(add(c, SX_REWARD_PER_KWH))
                    if reward {
                        let used := shr(192, shl(192, amounts))
                        if lt(importWh, used) { used := importWh }
                        reward := div(mul(add(delivered, used), reward), 1000)
                        if shr(64, reward) { reward := 0xffffffffffffffff }
                        mstore(add(q, 32), reward)
                    }
                }
                // word 1: net credit (int128) | escrow (uint64) | reward (uint64), as
                // SettlementMath.netCredit: operands below 2^64, products below 2^128
                {
                    let net := div(mul(shr(192, shl(128, amounts)), shr(128, amounts)), 1000)
                    // imbalance = export - import - sold + bought, now in importWh
                    importWh := add(
                        sub(sub(exportWh, importWh), shr(192, shl(128, amounts))),
                        shr(192, shl(192, amounts))
                    )
                    switch slt(importWh, 0)
                    case 0 { net := add(net, div(mul(importWh, mload(add(c, SX_FEED_IN_TARIFF))), 1000)) }
                    default {
                        net := sub(net, div(add(mul(sub(0, importWh), mload(add(c, SX_IMPORT_TARIFF))), 999), 1000))
                    }
                    // the escrow locked at clearing: ceil(bought x price / 1000), below 2^64
                    let escrow := div(add(mul(shr(192, shl(192, amounts)), shr(128, amounts)), 999), 1000)
                    mstore(add(q, 32), or(or(shl(128, net), shl(64, escrow)), mload(add(q, 32))))
                }
                q := add(q, 64)
            }
            if iszero(missing) {
                if iszero(eq(prev, not(0))) {
                    mstore(0x00, shr(8, prev))
                    mstore(0x20, mload(add(c, SX_POSITION_METERS_BASE)))
                    sstore(keccak256(0x00, 0x40), flagWord)
                }
            }
            mstore(add(c, SX_ENTRIES_PTR), q)
        }
    }

    /// @inheritdoc IMarket
    function settleMeters(uint64 interval, uint32[] calldata meterIndices) external whenNotPaused {
        IntervalInfo storage s = _intervals[interval];
        if (s.status != IntervalStatus.Cleared) revert MarketIntervalNotCleared(interval);
        // every position is settled first: a meter's flags tell whether it had one
        if (s.chunksSettled != s.chunksCleared) {
            revert MarketPositionsUnsettled(interval, s.chunksSettled, s.chunksCleared);
        }
        SettleContext memory c = _settleContext(s, interval, meterIndices.length);
        // only meters with readings: missing ones are not settled as zero here
        c.missingAsZero = 0;
        for (uint256 i; i < meterIndices.length; ++i) {
            uint32 index = meterIndices[i];
            if (_hasPosition(interval, index)) revert MarketMeterHasPosition(interval, index);
            uint256 flags = _settleMeter(c, index, 0, 0);
            if (flags & FLAG_MISSING != 0) revert MarketReadingMissing(interval, index);
            if (flags & FLAG_SETTLED != 0) revert MarketMeterAlreadySettled(interval, index);
            // the owner goes into the entry just written (its top 20 bytes)
            (, IRegistry.Meter memory m) = registry.meterAt(index);
            uint256 entry = c.entriesPtr - ENTRY_BYTES;
            address owner = m.owner;
            assembly ("memory-safe") {
                mstore(entry, or(mload(entry), shl(96, owner)))
            }
        }
        _finishSettlement(c);
    }

    function _settleContext(IntervalInfo storage s, uint64 interval, uint256 meters)
        private
        view
        returns (SettleContext memory c)
    {
        c.interval = interval;
        c.importTariff = s.importTariff;
        c.feedInTariff = s.feedInTariff;
        c.rewardPerKwh = rewardPerKwh;
        c.entries = new bytes(meters * ENTRY_BYTES);
        bytes memory entries = c.entries;
        uint256 ptr;
        uint256 readingsBase;
        uint256 flagsBase;
        uint256 positionMetersBase;
        assembly ("memory-safe") {
            ptr := add(entries, 0x20)
            mstore(0x00, interval)
            mstore(0x20, _readings.slot)
            readingsBase := keccak256(0x00, 0x40)
            mstore(0x20, _meterFlags.slot)
            flagsBase := keccak256(0x00, 0x40)
            mstore(0x20, _positionMeters.slot)
            positionMetersBase := keccak256(0x00, 0x40)
        }
        c.entriesPtr = ptr;
        c.readingsBase = readingsBase;
        c.flagsBase = flagsBase;
        c.positionMetersBase = positionMetersBase;
        uint256 deadline = (uint256(interval) + 1) * intervalSeconds + settlementGraceSeconds;
        if (block.timestamp >= deadline && hasRole(MARKET_OPERATOR_ROLE, msg.sender)) c.missingAsZero = 1;
    }

    /// @dev Settles one meter: reads its reading (a missing one counts as zero when
    ///      `missingAsZero`, otherwise nothing is written and FLAG_MISSING is returned), sets
    ///      its settled flag, computes its settlement (`SettlementMath.netCredit`, the reward,
    ///      the energy delivered) and appends the 64-byte entry. Returns the meter's flags
    ///      from before (FLAG_HAS_POSITION, FLAG_SETTLED), or FLAG_MISSING.
    /// @param amounts The position's price, soldWh and boughtWh, 64 bits each (high to low);
    ///        zero for a meter without orders.
    function _settleMeter(SettleContext memory c, uint256 index, uint256 owner, uint256 amounts)
        private
        returns (uint256 before)
    {
        assembly ("memory-safe") {
            function cachedWord(ctx, w, at) -> word {
                // the word `w` of the mapping at slot mload(ctx + at); the loaded word stays
                // in memory (ctx + at + 0x40) until another is needed (flag words are written
                // back then, reading words are only read)
                let loaded := mload(add(ctx, add(at, 0x60)))
                if and(loaded, eq(w, mload(add(ctx, add(at, 0x20))))) {
                    word := mload(add(ctx, add(at, 0x40)))
                    leave
                }
                let base := mload(add(ctx, at))
                if and(loaded, eq(at, SX_FLAGS_BASE)) {
                    mstore(0x00, mload(add(ctx, add(at, 0x20))))
                    mstore(0x20, base)
                    sstore(keccak256(0x00, 0x40), mload(add(ctx, add(at, 0x40))))
                }
                mstore(0x00, w)
                mstore(0x20, base)
                word := sload(keccak256(0x00, 0x40))
                mstore(add(ctx, add(at, 0x20)), w)
                mstore(add(ctx, add(at, 0x40)), word)
                mstore(add(ctx, add(at, 0x60)), 1)
            }
            // SettlementMath.netCredit: every operand below 2^64, so products stay below 2^128
            // and the signed sums far inside int256
            function netCredit(ctx, amt, importWh, exportWh) -> net {
                let price := shr(128, amt)
                let sold := and(shr(64, amt), 0xffffffffffffffff)
                net := div(mul(sold, price), 1000)
                let imbalance := add(sub(sub(exportWh, importWh), sold), and(amt, 0xffffffffffffffff))
                if sgt(imbalance, 0) {
                    net := add(net, div(mul(imbalance, mload(add(ctx, SX_FEED_IN_TARIFF))), 1000))
                }
                if slt(imbalance, 0) {
                    net := sub(net, div(add(mul(sub(0, imbalance), mload(add(ctx, SX_IMPORT_TARIFF))), 999), 1000))
                }
            }
            // rewardPerKwh per kWh sold and delivered or bought and used, capped at 64 bits
            function rewardOf(ctx, amt, importWh, delivered) -> reward {
                let perKwh := mload(add(ctx, SX_REWARD_PER_KWH))
                if perKwh {
                    let used := and(amt, 0xffffffffffffffff)
                    if lt(importWh, used) { used := importWh }
                    reward := div(mul(add(delivered, used), perKwh), 1000)
                    if gt(reward, 0xffffffffffffffff) { reward := 0xffffffffffffffff }
                }
            }
            // the 64-byte entry for reading `entry` (zero: none, counted as zero): one per
            // meter of the call, within the buffer sized from the meter count; exportWh and
            // delivered are readings below 2^21, net below 2^118 in magnitude (int128), the
            // escrow was locked as a uint64
            function writeEntry(ctx, idx, own, amt, entry) {
                let importWh := 0
                let exportWh := 0
                if entry {
                    importWh := sub(shr(21, entry), 1)
                    exportWh := and(entry, 0x1fffff)
                }
                let delivered := and(shr(64, amt), 0xffffffffffffffff) // sold
                if lt(exportWh, delivered) { delivered := exportWh }
                let q := mload(add(ctx, SX_ENTRIES_PTR))
                mstore(q, or(or(shl(96, own), shl(64, idx)), or(shl(32, exportWh), delivered)))
                let escrow := and(div(add(mul(and(amt, 0xffffffffffffffff), shr(128, amt)), 999), 1000), 0xffffffffffffffff)
                mstore(
                    add(q, 32),
                    or(or(shl(128, netCredit(ctx, amt, importWh, exportWh)), shl(64, escrow)), rewardOf(ctx, amt, importWh, delivered))
                )
                mstore(add(ctx, SX_ENTRIES_PTR), add(q, 64))
            }
            function settle(ctx, idx, own, amt) -> flags {
                // the reading: 42 bits a meter, six a word (`ReadingWords`)
                let entry := and(
                    shr(mul(mod(idx, 6), 42), cachedWord(ctx, div(idx, 6), SX_READINGS_BASE)),
                    0x3ffffffffff
                )
                switch and(iszero(entry), iszero(mload(add(ctx, SX_MISSING_AS_ZERO))))
                case 1 { flags := FLAG_MISSING }
                default {
                    // the settled flag: two bits a meter, 128 a word
                    let shift := shl(1, and(idx, 127))
                    let fw := cachedWord(ctx, shr(7, idx), SX_FLAGS_BASE)
                    flags := and(shr(shift, fw), 3)
                    mstore(add(ctx, SX_FLAG_WORD), or(fw, shl(shift, FLAG_SETTLED)))
                    writeEntry(ctx, idx, own, amt, entry)
                }
            }
            before := settle(c, index, owner, amounts)
        }
    }

    /// @dev Whether meter `index` was settled with a position in `interval`.
    function _hasPosition(uint64 interval, uint256 index) private view returns (bool) {
        return (_positionMeters[interval][index >> 8] >> (index & 255)) & 1 != 0;
    }

    function _finishSettlement(SettleContext memory c) private {
        if (c.flagWordLoaded != 0) _meterFlags[uint64(c.interval)][c.flagWordIndex] = c.flagWord;
        ledger.applySettlements(c.entries);
        emit MetersSettled(uint64(c.interval), c.entries);
    }

    // =========================================================================================
    // governance
    // =========================================================================================

    /// @inheritdoc IMarket
    function setParameters(uint64 settlementGraceSeconds_, uint64 rewardPerKwh_)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        settlementGraceSeconds = settlementGraceSeconds_;
        rewardPerKwh = rewardPerKwh_;
        emit ParametersSet(settlementGraceSeconds_, rewardPerKwh_);
    }

    /// @inheritdoc IMarket
    function setReadingQuorum(uint8 quorum) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (quorum == 0) revert MarketZeroAmount();
        readingQuorum = quorum;
        emit ReadingQuorumSet(quorum);
    }

    /// @inheritdoc IMarket
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc IMarket
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // =========================================================================================
    // views
    // =========================================================================================

    /// @inheritdoc IMarket
    function hashOrder(Order calldata order) external view returns (bytes32) {
        return _hashTypedDataV4(OrderHashing.hash(order));
    }

    /// @inheritdoc IMarket
    function intervalInfo(uint64 interval) external view returns (IntervalInfo memory) {
        return _intervals[interval];
    }

    /// @inheritdoc IMarket
    function reading(uint64 interval, uint32 meterIndex)
        external
        view
        returns (bool posted, uint64 importWh, uint64 exportWh)
    {
        (uint256 w, uint256 shift) = ReadingWords.locate(meterIndex);
        return ReadingWords.decode((_readings[interval][w] >> shift) & ReadingWords.ENTRY_MASK);
    }

    /// @inheritdoc IMarket
    function meterStatus(uint64 interval, uint32 meterIndex) external view returns (bool hasPosition, bool settled) {
        uint256 flags = (_meterFlags[interval][meterIndex / METERS_PER_FLAG_WORD]
            >> ((meterIndex % METERS_PER_FLAG_WORD) * 2)) & 3;
        hasPosition = _hasPosition(interval, meterIndex);
        settled = hasPosition || flags & FLAG_SETTLED != 0;
    }

    /// @inheritdoc IMarket
    function chunkPositions(uint64 interval, uint256 chunk) external view returns (bytes32 hash, bool settled) {
        hash = _positionsHashes[interval][chunk];
        settled = hash == bytes32(0) && chunk < _intervals[interval].chunksCleared;
    }

    /// @inheritdoc IMarket
    function currentInterval() public view returns (uint64) {
        return uint64(block.timestamp / intervalSeconds);
    }
}
