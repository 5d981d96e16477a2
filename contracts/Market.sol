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

    /// @dev Working state of one clearing chunk, in memory.
    struct ChunkContext {
        uint64 interval;
        bool first;
        bool isFinal;
        uint256 chunk;
        uint256 orders;
        uint64 committedAt;
        bool hasLast;
        uint32 lastMeterIndex;
        bytes32 lastDigest;
        bytes32 meterId; // the cached meter (orders of one meter are consecutive)
        IRegistry.Meter meter;
        bool posOpen;
        Position pos;
        bytes32 positionsHash;
        uint256 positions;
        int256[] feederNet; // index = feeder id; index 0 unused
        address[] escrowOwners; // purchases to lock in the ledger, one call per chunk
        uint256[] escrowAmounts;
        uint256 escrowCount;
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
        ILedger.SettlementEntry[] entries;
        uint256 entryCount;
        uint256 readingWordIndex;
        uint256 readingWord;
        bool readingWordLoaded;
        uint256 flagWordIndex;
        uint256 flagWord;
        bool flagWordLoaded;
    }

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
    function submitClearing(
        uint64 interval,
        ClearingHeader calldata header,
        SignedOrder[] calldata orders,
        bool isFinal
    ) external onlyRole(MARKET_OPERATOR_ROLE) whenNotPaused {
        IntervalInfo storage s = _intervals[interval];
        ChunkContext memory c = _openChunk(s, interval, header, orders.length, isFinal);
        c.escrowOwners = new address[](orders.length);
        c.escrowAmounts = new uint256[](orders.length);
        bytes32[] memory leaves = new bytes32[](orders.length);
        for (uint256 i; i < orders.length; ++i) {
            leaves[i] = _clearOrder(c, header, orders[i]);
        }
        _closeChunk(s, c, header, leaves);
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
        c.feederNet = new int256[](feederCount + 1);
        if (!c.first) _loadCarry(c, feederCount);
    }

    function _closeChunk(
        IntervalInfo storage s,
        ChunkContext memory c,
        ClearingHeader calldata header,
        bytes32[] memory leaves
    ) private {
        uint64 interval = c.interval;
        if (c.isFinal && c.posOpen) _closePosition(c);
        _flushFlags(c);
        if (c.escrowCount > 0) {
            address[] memory owners = c.escrowOwners;
            uint256[] memory amounts = c.escrowAmounts;
            uint256 count = c.escrowCount;
            // shrinking a memory array in place: its tail is simply no longer referenced
            assembly ("memory-safe") {
                mstore(owners, count)
                mstore(amounts, count)
            }
            ledger.lockEscrow(owners, amounts);
        }
        _positionsHashes[interval][c.chunk] = c.positionsHash;
        _checkRoot(s, interval, leaves, c.chunk, c.first, c.isFinal);
        // chunk counts are bounded by the uint32 order count over chunks of at least one order
        s.chunksCleared = uint16(c.chunk + 1);
        s.ordersCleared += uint32(c.orders);
        emit ClearingChunkAccepted(interval, c.chunk, c.orders, c.positions, c.positionsHash);
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

    function _clearOrder(ChunkContext memory c, ClearingHeader calldata header, SignedOrder calldata so)
        private
        returns (bytes32 digest)
    {
        Order calldata o = so.order;
        digest = _hashTypedDataV4(OrderHashing.hash(o));
        if (o.interval != c.interval) revert MarketOrderIntervalMismatch(digest, o.interval);
        if (o.expiry < c.committedAt) revert MarketOrderExpired(digest, o.expiry);
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, so.r, so.vs);
        if (err != ECDSA.RecoverError.NoError || signer != o.maker) revert MarketOrderSignatureInvalid(digest, signer);

        if (o.meterId != c.meterId) {
            c.meter = registry.meter(o.meterId);
            c.meterId = o.meterId;
        }
        IRegistry.Meter memory m = c.meter;
        if (!m.active) revert MarketMeterInactive(o.meterId);
        if (m.owner != o.maker) revert MarketMeterNotOwned(o.meterId, o.maker, m.owner);

        // book order: by meter index, then by digest, strictly (so no order appears twice)
        if (c.hasLast && (m.index < c.lastMeterIndex || (m.index == c.lastMeterIndex && digest <= c.lastDigest))) {
            revert MarketOrderOutOfSequence(digest, m.index);
        }
        bool newMeter = !c.hasLast || m.index != c.lastMeterIndex;
        c.hasLast = true;
        c.lastMeterIndex = m.index;
        c.lastDigest = digest;

        uint64 fill = so.fillWh;
        if (fill > o.energyWh) revert MarketFillExceedsOrder(digest, fill, o.energyWh);
        uint64 price = header.feeders[m.feederId - 1].price;
        _checkCertificate(digest, o, fill, price);

        if (newMeter) {
            if (c.posOpen) _closePosition(c);
            c.pos = Position({meterIndex: m.index, owner: m.owner, price: price, soldWh: 0, boughtWh: 0});
            c.posOpen = true;
        }
        if (o.side == Side.Sell) {
            c.feederNet[m.feederId] += int256(uint256(fill));
            c.pos.soldWh += fill;
        } else {
            c.feederNet[m.feederId] -= int256(uint256(fill));
            c.pos.boughtWh += fill;
        }
        if (o.batteryId != bytes32(0) && fill > 0) _dispatchBattery(c.interval, o, fill, digest);
    }

    /// @dev Pay-as-clear certificate: an order strictly in the money is filled completely,
    ///      one strictly out of the money not at all; at the money any fill is optimal.
    function _checkCertificate(bytes32 digest, Order calldata o, uint64 fill, uint64 price) private pure {
        uint64 limit = o.limitPrice;
        bool inTheMoney = o.side == Side.Buy ? limit > price : limit < price;
        bool outOfTheMoney = o.side == Side.Buy ? limit < price : limit > price;
        if (inTheMoney && fill != o.energyWh) revert MarketOrderInTheMoneyNotFilled(digest, limit, price, fill);
        if (outOfTheMoney && fill != 0) revert MarketOrderOutOfTheMoneyFilled(digest, limit, price, fill);
    }

    function _dispatchBattery(uint64 interval, Order calldata o, uint64 fill, bytes32 digest) private {
        IRegistry.Battery memory b = registry.battery(o.batteryId);
        if (b.owner != o.maker || b.meterId != o.meterId) revert MarketBatteryMismatch(o.batteryId, o.maker, o.meterId);
        uint256 powerW = uint256(fill) * 3600 / intervalSeconds;
        uint32 maxW = o.side == Side.Buy ? b.maxChargeW : b.maxDischargeW;
        if (powerW > maxW) revert MarketBatteryPowerExceeded(o.batteryId, powerW, maxW);
        // powerW <= maxW < 2^32, so it fits int64 either way
        int64 signedPower = o.side == Side.Buy ? int64(uint64(powerW)) : -int64(uint64(powerW));
        emit BatteryDispatched(o.batteryId, interval, signedPower, digest);
    }

    /// @dev A meter's orders are complete: lock the escrow of its purchases, mark it as
    ///      having a position, and chain the position into the chunk's hash.
    function _closePosition(ChunkContext memory c) private {
        Position memory p = c.pos;
        uint256 escrow = SettlementMath.escrowFor(p.boughtWh, p.price);
        if (escrow > 0) {
            // at most one position per order, so escrowCount < orders in the chunk
            uint256 k = c.escrowCount++;
            c.escrowOwners[k] = p.owner;
            c.escrowAmounts[k] = escrow;
        }
        _setFlag(c, p.meterIndex, FLAG_HAS_POSITION);
        c.positionsHash = _chainPosition(c.positionsHash, p.meterIndex, p.owner, p.price, p.soldWh, p.boughtWh);
        c.posOpen = false;
        ++c.positions;
    }

    function _chainPosition(bytes32 h, uint32 meterIndex, address owner, uint64 price, uint64 sold, uint64 bought)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(h, meterIndex, owner, price, sold, bought));
    }

    function _setFlag(ChunkContext memory c, uint32 meterIndex, uint256 flag) private {
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
            c.pos = Position({
                meterIndex: k.lastMeterIndex,
                owner: k.posOwner,
                price: k.posPrice,
                soldWh: k.posSold,
                boughtWh: k.posBought
            });
        }
        for (uint256 f = 1; f <= feederCount; ++f) {
            c.feederNet[f] = _feederNet[c.interval][f];
        }
    }

    function _storeCarry(ChunkContext memory c, uint256 feederCount) private {
        _carry[c.interval] = Carry({
            lastDigest: c.lastDigest,
            lastMeterIndex: c.lastMeterIndex,
            hasLast: c.hasLast,
            posOpen: c.posOpen,
            posOwner: c.pos.owner,
            posPrice: c.pos.price,
            posSold: c.pos.soldWh,
            posBought: c.pos.boughtWh
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

    /// @dev The storage word of readings being filled, kept in memory between readings.
    struct ReadingCursor {
        uint64 interval;
        uint32 meterCount;
        uint256 wordIndex;
        uint256 word;
        bool dirty;
        uint256 added;
    }

    function _postReadings(uint64 interval, MeterReading[] calldata readings) private {
        uint64 endsAt = (interval + 1) * intervalSeconds;
        if (block.timestamp < endsAt) revert MarketIntervalNotEnded(interval, endsAt);
        ReadingCursor memory cur = ReadingCursor({
            interval: interval,
            meterCount: registry.meterCount(),
            wordIndex: type(uint256).max,
            word: 0,
            dirty: false,
            added: 0
        });
        for (uint256 i; i < readings.length; ++i) {
            _postReading(cur, readings[i]);
        }
        if (cur.dirty) _readings[interval][cur.wordIndex] = cur.word;
        emit ReadingsPosted(interval, readings.length, cur.added);
    }

    function _postReading(ReadingCursor memory cur, MeterReading calldata r) private {
        if (r.meterIndex >= cur.meterCount) revert MarketMeterIndexUnknown(r.meterIndex);
        if (r.importWh > ReadingWords.MAX_WH || r.exportWh > ReadingWords.MAX_WH) {
            revert MarketReadingTooLarge(r.meterIndex, r.importWh, r.exportWh);
        }
        (uint256 w, uint256 shift) = ReadingWords.locate(r.meterIndex);
        if (w != cur.wordIndex) {
            if (cur.dirty) _readings[cur.interval][cur.wordIndex] = cur.word;
            cur.wordIndex = w;
            cur.word = _readings[cur.interval][w];
            cur.dirty = false;
        }
        uint256 entry = (cur.word >> shift) & ReadingWords.ENTRY_MASK;
        uint256 fresh = ReadingWords.encode(r.importWh, r.exportWh);
        if (entry == 0) {
            cur.word |= fresh << shift;
            cur.dirty = true;
            ++cur.added;
        } else if (entry != fresh) {
            _revertConflict(cur.interval, r, entry);
        }
    }

    function _revertConflict(uint64 interval, MeterReading calldata r, uint256 entry) private pure {
        (, uint64 postedImport, uint64 postedExport) = ReadingWords.decode(entry);
        revert MarketReadingConflict(interval, r.meterIndex, postedImport, postedExport, r.importWh, r.exportWh);
    }

    // =========================================================================================
    // settlement
    // =========================================================================================

    /// @inheritdoc IMarket
    function settlePositions(uint64 interval, uint256 chunk, Position[] calldata positions) external whenNotPaused {
        IntervalInfo storage s = _intervals[interval];
        if (s.status != IntervalStatus.Cleared) revert MarketIntervalNotCleared(interval);
        if (chunk >= s.chunksCleared) revert MarketChunkUnknown(interval, chunk);
        uint256 bit = uint256(1) << (chunk % 256);
        uint256 settledBits = _chunkSettledBits[interval][chunk / 256];
        if (settledBits & bit != 0) revert MarketChunkAlreadySettled(interval, chunk);
        bytes32 h;
        for (uint256 i; i < positions.length; ++i) {
            Position calldata p = positions[i];
            h = _chainPosition(h, p.meterIndex, p.owner, p.price, p.soldWh, p.boughtWh);
        }
        if (h != _positionsHashes[interval][chunk]) revert MarketPositionsMismatch(interval, chunk);
        _chunkSettledBits[interval][chunk / 256] = settledBits | bit;
        ++s.chunksSettled;

        SettleContext memory c = _settleContext(s, interval, positions.length);
        for (uint256 i; i < positions.length; ++i) {
            Position calldata p = positions[i];
            (bool posted, uint64 importWh, uint64 exportWh) = _readingOf(c, p.meterIndex);
            if (!posted && !c.missingAsZero) revert MarketReadingMissing(interval, p.meterIndex);
            _markSettled(c, p.meterIndex);
            _settleMeter(c, p.meterIndex, p.owner, p.price, p.soldWh, p.boughtWh, importWh, exportWh);
        }
        _finishSettlement(c);
        emit PositionsSettled(interval, chunk, positions.length);
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
            _settleMeter(c, index, m.owner, 0, 0, 0, importWh, exportWh);
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
        c.entries = new ILedger.SettlementEntry[](meters);
        uint256 deadline = (uint256(interval) + 1) * intervalSeconds + settlementGraceSeconds;
        c.missingAsZero = block.timestamp >= deadline && hasRole(MARKET_OPERATOR_ROLE, msg.sender);
    }

    function _readingOf(SettleContext memory c, uint32 meterIndex) private view returns (bool, uint64, uint64) {
        (uint256 w, uint256 shift) = ReadingWords.locate(meterIndex);
        if (!c.readingWordLoaded || w != c.readingWordIndex) {
            c.readingWordIndex = w;
            c.readingWord = _readings[c.interval][w];
            c.readingWordLoaded = true;
        }
        return ReadingWords.decode((c.readingWord >> shift) & ReadingWords.ENTRY_MASK);
    }

    /// @dev Sets the meter's settled flag and returns its flags from before.
    function _markSettled(SettleContext memory c, uint32 meterIndex) private returns (uint256 before) {
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

    function _settleMeter(
        SettleContext memory c,
        uint32 meterIndex,
        address owner,
        uint64 price,
        uint64 soldWh,
        uint64 boughtWh,
        uint64 importWh,
        uint64 exportWh
    ) private {
        SettlementMath.MeterSettlement memory m =
            SettlementMath.settle(price, c.importTariff, c.feedInTariff, soldWh, boughtWh, importWh, exportWh);
        // each term is below 2^64 * 2^64 / 1000, far from int256's range
        int256 net = int256(m.proceeds + m.surplusCredit) - int256(m.shortfallCharge);
        uint256 reward;
        if (c.rewardPerKwh != 0) {
            reward = (uint256(m.deliveredWh) + m.usedFillWh) * c.rewardPerKwh / SettlementMath.WH_PER_KWH;
        }
        c.entries[c.entryCount++] = ILedger.SettlementEntry({
            owner: owner,
            escrow: m.escrow,
            netCredit: net,
            exportWh: exportWh,
            deliveredWh: m.deliveredWh,
            reward: reward
        });
        emit MeterSettled(c.interval, meterIndex, owner, net, m.escrow);
    }

    function _finishSettlement(SettleContext memory c) private {
        if (c.flagWordLoaded) _meterFlags[c.interval][c.flagWordIndex] = c.flagWord;
        ledger.applySettlements(c.entries);
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
