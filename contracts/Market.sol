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
import {SettlementMath} from "./libraries/SettlementMath.sol";

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

    uint256 private constant FLAG_HAS_POSITION = 1;
    uint256 private constant FLAG_SETTLED = 2;
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
        bool hasLast;
        bool posOpen;
        address posOwner;
        uint64 posPrice;
        uint64 posSold;
        uint64 posBought;
    }

    /// @dev Working state of one clearing chunk, in memory. Buffers are written through raw
    ///      cursors (`*Ptr`, memory addresses) and sized once from the order count, so the
    ///      loop allocates nothing.
    struct ChunkContext {
        uint64 interval;
        uint64 committedAt;
        bool first;
        bool isFinal;
        uint256 chunk;
        uint256 orders;
        bytes32 domainSeparator;
        // the last order (book order is by meter index, then digest)
        bool hasLast;
        uint256 lastMeterIndex;
        bytes32 lastDigest;
        // the cached meter: a meter's orders are consecutive, so it is read once
        bytes32 meterId;
        address meterOwner;
        uint256 meterFeeder;
        uint256 meterIndex;
        bool meterActive;
        uint64 meterPrice;
        // the open position (the current meter's orders so far)
        bool posOpen;
        uint256 posIndex;
        address posOwner;
        uint64 posPrice;
        uint64 posSold;
        uint64 posBought;
        int256[] feederNet; // index = feeder id; index 0 unused
        bytes32[] leaves;
        uint256 leafCount;
        bytes positions;
        uint256 positionsPtr;
        uint256 positionCount;
        bytes escrows;
        uint256 escrowsPtr;
        uint256 flagWordIndex;
        uint256 flagWord;
        bool flagWordLoaded;
    }

    /// @dev Working state of one settlement call, in memory.
    struct SettleContext {
        uint64 interval;
        uint64 importTariff;
        uint64 feedInTariff;
        uint64 rewardPerKwh;
        bool missingAsZero;
        bytes entries;
        uint256 entriesPtr;
        uint256 readingWordIndex;
        uint256 readingWord;
        bool readingWordLoaded;
        uint256 flagWordIndex;
        uint256 flagWord;
        bool flagWordLoaded;
    }

    uint256 private constant ORDER_BYTES = 165;
    uint256 private constant BATTERY_BYTES = 32;
    uint256 private constant POSITION_BYTES = 48;
    uint256 private constant ENTRY_BYTES = 64;
    uint256 private constant ORDER_SELL = 1;
    uint256 private constant ORDER_HAS_BATTERY = 2;
    /// @dev secp256k1n / 2: a larger `s` is the malleable twin of a valid signature.
    uint256 private constant HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    mapping(uint64 interval => IntervalInfo) private _intervals;
    mapping(uint64 interval => Carry) private _carry;
    mapping(uint64 interval => mapping(uint256 chunk => bytes32)) private _chunkRoots;
    mapping(uint64 interval => mapping(uint256 chunk => bytes32)) private _positionsHashes;
    mapping(uint64 interval => mapping(uint256 word => uint256)) private _chunkSettledBits;
    mapping(uint64 interval => mapping(uint256 feederId => int256)) private _feederNet;
    mapping(uint64 interval => mapping(uint256 word => uint256)) private _readings;
    mapping(uint64 interval => mapping(uint256 word => uint256)) private _meterFlags;

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
        uint256 n = _countOrders(orders);
        ChunkContext memory c = _openChunk(s, interval, header, n, isFinal);
        uint256 p;
        assembly ("memory-safe") {
            p := orders.offset
        }
        for (uint256 i; i < n;) {
            p = _clearOrder(c, header, p);
            // i < n, which is bounded by the calldata length
            unchecked {
                ++i;
            }
        }
        _closeChunk(s, c, header);
    }

    /// @dev Counts the packed orders, checking that they tile `orders` exactly.
    function _countOrders(bytes calldata orders) private pure returns (uint256 n) {
        uint256 p;
        uint256 end;
        assembly ("memory-safe") {
            p := orders.offset
            end := add(p, orders.length)
        }
        // p only grows by at most 197 per step from a calldata offset; it stops at `end`
        unchecked {
            while (p < end) {
                uint256 flags;
                assembly ("memory-safe") {
                    flags := byte(0, calldataload(add(p, 60)))
                }
                if (flags > (ORDER_SELL | ORDER_HAS_BATTERY)) revert MarketOrdersMalformed(orders.length, n);
                p += flags & ORDER_HAS_BATTERY == 0 ? ORDER_BYTES : ORDER_BYTES + BATTERY_BYTES;
                ++n;
            }
        }
        if (p != end) revert MarketOrdersMalformed(orders.length, n);
    }

    function _openChunk(
        IntervalInfo storage s,
        uint64 interval,
        ClearingHeader calldata header,
        uint256 n,
        bool isFinal
    ) private returns (ChunkContext memory c) {
        IntervalStatus status = s.status;
        if (status == IntervalStatus.Open) revert MarketIntervalNotCommitted(interval);
        if (status == IntervalStatus.Cleared) revert MarketIntervalAlreadyCleared(interval);
        if (!s.tariffsPosted) revert MarketTariffsMissing(interval);
        c.first = status == IntervalStatus.BookCommitted;
        c.isFinal = isFinal;
        _checkChunkShape(s, interval, n, isFinal, c.first);

        uint256 feederCount = registry.feederCount();
        if (header.feeders.length != feederCount) revert MarketFeederCountMismatch(feederCount, header.feeders.length);
        if (!(c.first && isFinal)) {
            bytes32 headerHash = keccak256(abi.encode(header));
            if (c.first) s.headerHash = headerHash;
            else if (headerHash != s.headerHash) revert MarketClearingHeaderMismatch(interval);
        }
        c.interval = interval;
        c.committedAt = s.committedAt;
        c.chunk = s.chunksCleared;
        c.orders = n;
        c.domainSeparator = _domainSeparatorV4();
        c.feederNet = new int256[](feederCount + 1);
        c.leaves = new bytes32[](n);
        // at most one position and one escrow per order; 32 bytes of slack for the last
        // position's 32-byte store
        // A chunk closes at most one position per order plus the position carried in from
        // the previous chunk (a meter whose orders straddle the boundary), hence n + 1; the
        // extra 32 bytes take the tail of the last position's second 32-byte store.
        c.positions = new bytes((n + 1) * POSITION_BYTES + 32);
        c.escrows = new bytes((n + 1) * 32);
        bytes memory positions = c.positions;
        bytes memory escrows = c.escrows;
        uint256 positionsPtr;
        uint256 escrowsPtr;
        assembly ("memory-safe") {
            positionsPtr := add(positions, 0x20)
            escrowsPtr := add(escrows, 0x20)
        }
        c.positionsPtr = positionsPtr;
        c.escrowsPtr = escrowsPtr;
        if (!c.first) _loadCarry(c, feederCount);
    }

    function _closeChunk(IntervalInfo storage s, ChunkContext memory c, ClearingHeader calldata header) private {
        uint64 interval = c.interval;
        if (c.isFinal && c.posOpen) _closePosition(c);
        _flushFlags(c);
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
        _positionsHashes[interval][c.chunk] = positionsHash;
        _checkRoot(s, interval, c.leaves, c.chunk, c.first, c.isFinal);
        // chunk counts are bounded by the uint32 order count over chunks of at least one order
        s.chunksCleared = uint16(c.chunk + 1);
        s.ordersCleared += uint32(c.orders);
        emit ClearingChunkAccepted(interval, c.chunk, c.orders, c.positionCount, positionsHash);
        if (c.isFinal) {
            _checkNetwork(s, interval, header, c.feederNet);
            s.status = IntervalStatus.Cleared;
            s.connectionPrice = header.connectionPrice;
            emit IntervalCleared(interval, s.orderCount, header.connectionPrice, header.gridImportWh);
        } else {
            s.status = IntervalStatus.Clearing;
            _storeCarry(c, c.feederNet.length - 1);
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

    /// @dev Checks the packed order at calldata offset `p` and adds its fill; returns the
    ///      offset of the next order.
    function _clearOrder(ChunkContext memory c, ClearingHeader calldata header, uint256 p)
        private
        returns (uint256 next)
    {
        uint256 flags;
        bytes32 batteryId;
        assembly ("memory-safe") {
            flags := byte(0, calldataload(add(p, 60)))
        }
        // offsets stay within the calldata `_countOrders` walked
        unchecked {
            next = p + ORDER_BYTES;
            if (flags & ORDER_HAS_BATTERY != 0) {
                assembly ("memory-safe") {
                    batteryId := calldataload(next)
                }
                if (batteryId == bytes32(0)) revert MarketOrdersMalformed(0, c.positionCount);
                next += BATTERY_BYTES;
            }
        }
        bytes32 digest = _orderDigest(p, batteryId, c.domainSeparator);
        _checkSigned(c, p, digest);
        _checkMeter(c, header, p, digest);
        _addFill(c, p, flags, batteryId, digest);
    }

    /// @dev The order's EIP-712 digest, hashed straight from the packed calldata in free
    ///      memory (not allocated: nothing else runs in between).
    function _orderDigest(uint256 p, bytes32 batteryId, bytes32 domainSeparator)
        private
        pure
        returns (bytes32 digest)
    {
        bytes32 typeHash = OrderHashing.ORDER_TYPEHASH;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typeHash)
            mstore(add(m, 0x20), shr(96, calldataload(p))) // maker
            mstore(add(m, 0x40), calldataload(add(p, 20))) // meterId
            mstore(add(m, 0x60), shr(192, calldataload(add(p, 52)))) // interval
            mstore(add(m, 0x80), and(byte(0, calldataload(add(p, 60))), 1)) // side
            mstore(add(m, 0xa0), shr(192, calldataload(add(p, 61)))) // energyWh
            mstore(add(m, 0xc0), shr(192, calldataload(add(p, 69)))) // limitPrice
            mstore(add(m, 0xe0), shr(192, calldataload(add(p, 77)))) // nonce
            mstore(add(m, 0x100), shr(192, calldataload(add(p, 85)))) // expiry
            mstore(add(m, 0x120), batteryId)
            let structHash := keccak256(m, 0x140)
            mstore(m, 0x1901)
            mstore(add(m, 0x20), domainSeparator)
            mstore(add(m, 0x40), structHash)
            digest := keccak256(add(m, 30), 66)
        }
    }

    /// @dev Interval, expiry and signature (compact, EIP-2098) of the packed order at `p`.
    function _checkSigned(ChunkContext memory c, uint256 p, bytes32 digest) private view {
        address maker;
        uint64 orderInterval;
        uint64 expiry;
        bytes32 r;
        uint256 vs;
        assembly ("memory-safe") {
            maker := shr(96, calldataload(p))
            orderInterval := shr(192, calldataload(add(p, 52)))
            expiry := shr(192, calldataload(add(p, 85)))
            r := calldataload(add(p, 101))
            vs := calldataload(add(p, 133))
        }
        if (orderInterval != c.interval) revert MarketOrderIntervalMismatch(digest, orderInterval);
        if (expiry < c.committedAt) revert MarketOrderExpired(digest, expiry);
        uint256 sigS = vs & ((uint256(1) << 255) - 1);
        address signer;
        if (sigS <= HALF_ORDER) {
            // v is 27 or 28: the top bit of vs
            signer = ecrecover(digest, uint8((vs >> 255) + 27), r, bytes32(sigS));
        }
        if (signer == address(0) || signer != maker) revert MarketOrderSignatureInvalid(digest, signer);
    }

    /// @dev The maker owns the (active) meter, and the order comes after the previous one.
    function _checkMeter(ChunkContext memory c, ClearingHeader calldata header, uint256 p, bytes32 digest)
        private
        view
    {
        bytes32 meterId;
        address maker;
        assembly ("memory-safe") {
            maker := shr(96, calldataload(p))
            meterId := calldataload(add(p, 20))
        }
        if (meterId != c.meterId || !c.meterActive) {
            uint256 word = registry.meterWord(meterId);
            c.meterId = meterId;
            c.meterOwner = address(uint160(word));
            c.meterFeeder = uint16(word >> 160);
            c.meterIndex = uint32(word >> 176);
            c.meterActive = uint8(word >> 208) != 0;
            if (!c.meterActive) revert MarketMeterInactive(meterId);
            // feeder ids of meters are 1 .. feederCount, the header's length (checked)
            c.meterPrice = header.feeders[c.meterFeeder - 1].price;
        }
        if (c.meterOwner != maker) revert MarketMeterNotOwned(meterId, maker, c.meterOwner);
        uint256 index = c.meterIndex;
        // book order: by meter index, then by digest, strictly (so no order appears twice)
        if (c.hasLast && (index < c.lastMeterIndex || (index == c.lastMeterIndex && digest <= c.lastDigest))) {
            revert MarketOrderOutOfSequence(digest, uint32(index));
        }
    }

    /// @dev Fill bound, pay-as-clear certificate, position, feeder balance, battery dispatch.
    function _addFill(ChunkContext memory c, uint256 p, uint256 flags, bytes32 batteryId, bytes32 digest) private {
        uint64 energy;
        uint64 limit;
        uint64 fill;
        assembly ("memory-safe") {
            energy := shr(192, calldataload(add(p, 61)))
            limit := shr(192, calldataload(add(p, 69)))
            fill := shr(192, calldataload(add(p, 93)))
        }
        if (fill > energy) revert MarketFillExceedsOrder(digest, fill, energy);
        uint64 price = c.meterPrice;
        bool sell = flags & ORDER_SELL != 0;
        // pay-as-clear: strictly in the money means filled completely, strictly out of the
        // money not at all; at the money any fill is optimal
        if (sell ? limit < price : limit > price) {
            if (fill != energy) revert MarketOrderInTheMoneyNotFilled(digest, limit, price, fill);
        } else if (sell ? limit > price : limit < price) {
            if (fill != 0) revert MarketOrderOutOfTheMoneyFilled(digest, limit, price, fill);
        }

        uint256 index = c.meterIndex;
        if (!c.hasLast || index != c.lastMeterIndex) {
            if (c.posOpen) _closePosition(c);
            c.posOpen = true;
            c.posIndex = index;
            c.posOwner = c.meterOwner;
            c.posPrice = price;
            c.posSold = 0;
            c.posBought = 0;
        }
        c.hasLast = true;
        c.lastMeterIndex = index;
        c.lastDigest = digest;
        c.leaves[c.leafCount++] = digest;
        if (sell) {
            c.feederNet[c.meterFeeder] += int256(uint256(fill));
            c.posSold += fill;
        } else {
            c.feederNet[c.meterFeeder] -= int256(uint256(fill));
            c.posBought += fill;
        }
        if (batteryId != bytes32(0) && fill > 0) _dispatchBattery(c, batteryId, sell, fill, digest);
    }

    function _dispatchBattery(ChunkContext memory c, bytes32 batteryId, bool sell, uint64 fill, bytes32 digest)
        private
    {
        IRegistry.Battery memory b = registry.battery(batteryId);
        if (b.owner != c.meterOwner || b.meterId != c.meterId) {
            revert MarketBatteryMismatch(batteryId, c.meterOwner, c.meterId);
        }
        uint256 powerW = uint256(fill) * 3600 / intervalSeconds;
        uint32 maxW = sell ? b.maxDischargeW : b.maxChargeW;
        if (powerW > maxW) revert MarketBatteryPowerExceeded(batteryId, powerW, maxW);
        // powerW <= maxW < 2^32, so it fits int64 either way
        int64 signedPower = sell ? -int64(uint64(powerW)) : int64(uint64(powerW));
        emit BatteryDispatched(batteryId, c.interval, signedPower, digest);
    }

    /// @dev A meter's orders are complete: queue the escrow of its purchases, mark it as
    ///      having a position, and append the packed position to the chunk's positions.
    function _closePosition(ChunkContext memory c) private {
        uint256 index = c.posIndex;
        address owner = c.posOwner;
        uint64 price = c.posPrice;
        uint64 sold = c.posSold;
        uint64 bought = c.posBought;
        uint256 escrow = SettlementMath.escrowFor(bought, price);
        if (escrow > 0) {
            if (escrow > type(uint96).max) revert MarketEscrowTooLarge(uint32(index), escrow);
            uint256 q = c.escrowsPtr;
            assembly ("memory-safe") {
                mstore(q, or(shl(96, owner), escrow))
            }
            // at most one escrow per order plus the carried one: within the buffer (n + 1)
            unchecked {
                c.escrowsPtr = q + 32;
            }
        }
        _setFlag(c, index, FLAG_HAS_POSITION);
        uint256 w = c.positionsPtr;
        assembly ("memory-safe") {
            mstore(w, or(shl(224, index), shl(64, owner)))
            mstore(add(w, 24), or(or(shl(192, price), shl(128, sold)), shl(64, bought)))
        }
        // at most one position per order plus the carried one: within the buffer (n + 1)
        unchecked {
            c.positionsPtr = w + POSITION_BYTES;
            ++c.positionCount;
        }
        c.posOpen = false;
    }

    function _setFlag(ChunkContext memory c, uint256 meterIndex, uint256 flag) private {
        uint256 word = meterIndex / METERS_PER_FLAG_WORD;
        if (!c.flagWordLoaded || word != c.flagWordIndex) {
            _flushFlags(c);
            c.flagWordIndex = word;
            c.flagWord = _meterFlags[c.interval][word];
            c.flagWordLoaded = true;
        }
        c.flagWord |= flag << ((meterIndex % METERS_PER_FLAG_WORD) * 2);
    }

    function _flushFlags(ChunkContext memory c) private {
        if (c.flagWordLoaded) _meterFlags[c.interval][c.flagWordIndex] = c.flagWord;
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
        Carry storage k = _carry[c.interval];
        c.hasLast = k.hasLast;
        c.lastMeterIndex = k.lastMeterIndex;
        c.lastDigest = k.lastDigest;
        c.posOpen = k.posOpen;
        if (k.posOpen) {
            c.posIndex = k.lastMeterIndex;
            c.posOwner = k.posOwner;
            c.posPrice = k.posPrice;
            c.posSold = k.posSold;
            c.posBought = k.posBought;
        }
        for (uint256 f = 1; f <= feederCount; ++f) {
            c.feederNet[f] = _feederNet[c.interval][f];
        }
    }

    function _storeCarry(ChunkContext memory c, uint256 feederCount) private {
        _carry[c.interval] = Carry({
            lastDigest: c.lastDigest,
            // meter indices come from the registry's uint32
            lastMeterIndex: uint32(c.lastMeterIndex),
            hasLast: c.hasLast,
            posOpen: c.posOpen,
            posOwner: c.posOwner,
            posPrice: c.posPrice,
            posSold: c.posSold,
            posBought: c.posBought
        });
        for (uint256 f = 1; f <= feederCount; ++f) {
            _feederNet[c.interval][f] = c.feederNet[f];
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
        uint256 bit = uint256(1) << (chunk % 256);
        uint256 settledBits = _chunkSettledBits[interval][chunk / 256];
        if (settledBits & bit != 0) revert MarketChunkAlreadySettled(interval, chunk);
        if (keccak256(positions) != _positionsHashes[interval][chunk]) revert MarketPositionsMismatch(interval, chunk);
        _chunkSettledBits[interval][chunk / 256] = settledBits | bit;
        ++s.chunksSettled;

        // the hash matched what the clearing wrote: whole 48-byte positions
        uint256 n = positions.length / POSITION_BYTES;
        SettleContext memory c = _settleContext(s, interval, n);
        uint256 p;
        assembly ("memory-safe") {
            p := positions.offset
        }
        for (uint256 i; i < n;) {
            _settlePosition(c, p);
            // bounded by the calldata length
            unchecked {
                p += POSITION_BYTES;
                ++i;
            }
        }
        _finishSettlement(c);
        emit PositionsSettled(interval, chunk, n);
    }

    /// @dev Settles the packed position at calldata offset `p`.
    function _settlePosition(SettleContext memory c, uint256 p) private {
        uint256 index;
        address owner;
        uint256 amounts; // price | sold | bought, 64 bits each
        assembly ("memory-safe") {
            index := shr(224, calldataload(p))
            owner := shr(96, calldataload(add(p, 4)))
            amounts := shr(64, calldataload(add(p, 24)))
        }
        (bool posted, uint64 importWh, uint64 exportWh) = _readingOf(c, index);
        if (!posted && !c.missingAsZero) revert MarketReadingMissing(c.interval, uint32(index));
        _markSettled(c, index);
        _settleMeter(c, index, owner, amounts, importWh, exportWh);
    }

    /// @inheritdoc IMarket
    function settleMeters(uint64 interval, uint32[] calldata meterIndices) external whenNotPaused {
        IntervalInfo storage s = _intervals[interval];
        if (s.status != IntervalStatus.Cleared) revert MarketIntervalNotCleared(interval);
        SettleContext memory c = _settleContext(s, interval, meterIndices.length);
        for (uint256 i; i < meterIndices.length; ++i) {
            uint32 index = meterIndices[i];
            (bool posted, uint64 importWh, uint64 exportWh) = _readingOf(c, index);
            if (!posted) revert MarketReadingMissing(interval, index);
            uint256 flags = _markSettled(c, index);
            if (flags & FLAG_HAS_POSITION != 0) revert MarketMeterHasPosition(interval, index);
            if (flags & FLAG_SETTLED != 0) revert MarketMeterAlreadySettled(interval, index);
            (, IRegistry.Meter memory m) = registry.meterAt(index);
            _settleMeter(c, index, m.owner, 0, importWh, exportWh);
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
        assembly ("memory-safe") {
            ptr := add(entries, 0x20)
        }
        c.entriesPtr = ptr;
        uint256 deadline = (uint256(interval) + 1) * intervalSeconds + settlementGraceSeconds;
        c.missingAsZero = block.timestamp >= deadline && hasRole(MARKET_OPERATOR_ROLE, msg.sender);
    }

    function _readingOf(SettleContext memory c, uint256 meterIndex) private view returns (bool, uint64, uint64) {
        // meterIndex < 2^32
        unchecked {
            uint256 w = meterIndex / ReadingWords.PER_WORD;
            if (!c.readingWordLoaded || w != c.readingWordIndex) {
                c.readingWordIndex = w;
                c.readingWord = _readings[c.interval][w];
                c.readingWordLoaded = true;
            }
            uint256 shift = (meterIndex % ReadingWords.PER_WORD) * ReadingWords.BITS;
            return ReadingWords.decode((c.readingWord >> shift) & ReadingWords.ENTRY_MASK);
        }
    }

    /// @dev Sets the meter's settled flag and returns its flags from before.
    function _markSettled(SettleContext memory c, uint256 meterIndex) private returns (uint256 before) {
        uint256 word = meterIndex / METERS_PER_FLAG_WORD;
        if (!c.flagWordLoaded || word != c.flagWordIndex) {
            if (c.flagWordLoaded) _meterFlags[c.interval][c.flagWordIndex] = c.flagWord;
            c.flagWordIndex = word;
            c.flagWord = _meterFlags[c.interval][word];
            c.flagWordLoaded = true;
        }
        uint256 shift = (meterIndex % METERS_PER_FLAG_WORD) * 2;
        before = (c.flagWord >> shift) & 3;
        c.flagWord |= FLAG_SETTLED << shift;
    }

    /// @dev Computes one meter's settlement and appends its 64-byte entry.
    /// @param amounts The position's price, soldWh and boughtWh, 64 bits each (high to low).
    function _settleMeter(
        SettleContext memory c,
        uint256 meterIndex,
        address owner,
        uint256 amounts,
        uint64 importWh,
        uint64 exportWh
    ) private {
        (uint256 escrow, int256 net) = _netCredit(c, amounts, importWh, exportWh);
        uint256 sold = (amounts >> 64) & type(uint64).max;
        uint256 bought = amounts & type(uint64).max;
        uint256 delivered = sold < exportWh ? sold : exportWh;
        uint256 reward;
        if (c.rewardPerKwh != 0) {
            uint256 used = bought < importWh ? bought : importWh;
            // (delivered + used) < 2^65 and rewardPerKwh < 2^64
            unchecked {
                reward = (delivered + used) * c.rewardPerKwh / SettlementMath.WH_PER_KWH;
            }
            if (reward > type(uint64).max) reward = type(uint64).max;
        }
        // escrow was locked in the Ledger's uint64 field, so it fits 64 bits; net is below
        // 2^118 in magnitude (int128); exportWh and deliveredWh are readings below 2^21
        uint256 q = c.entriesPtr;
        assembly ("memory-safe") {
            mstore(q, or(or(shl(96, owner), shl(64, meterIndex)), or(shl(32, exportWh), delivered)))
            mstore(add(q, 32), or(or(shl(128, net), shl(64, and(escrow, 0xffffffffffffffff))), reward))
        }
        // one entry per meter of the call: within the buffer sized from the meter count
        unchecked {
            c.entriesPtr = q + ENTRY_BYTES;
        }
    }

    function _netCredit(SettleContext memory c, uint256 amounts, uint256 importWh, uint256 exportWh)
        private
        pure
        returns (uint256 escrow, int256 net)
    {
        return SettlementMath.netCredit(
            amounts >> 128,
            (amounts >> 64) & type(uint64).max,
            amounts & type(uint64).max,
            importWh,
            exportWh,
            c.importTariff,
            c.feedInTariff
        );
    }

    function _finishSettlement(SettleContext memory c) private {
        if (c.flagWordLoaded) _meterFlags[c.interval][c.flagWordIndex] = c.flagWord;
        ledger.applySettlements(c.entries);
        emit MetersSettled(c.interval, c.entries);
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
        return (flags & FLAG_HAS_POSITION != 0, flags & FLAG_SETTLED != 0);
    }

    /// @inheritdoc IMarket
    function chunkPositions(uint64 interval, uint256 chunk) external view returns (bytes32 hash, bool settled) {
        hash = _positionsHashes[interval][chunk];
        settled = _chunkSettledBits[interval][chunk / 256] & (uint256(1) << (chunk % 256)) != 0;
    }

    /// @inheritdoc IMarket
    function currentInterval() public view returns (uint64) {
        return uint64(block.timestamp / intervalSeconds);
    }
}
