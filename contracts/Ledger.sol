// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {IEnergyToken} from "./interfaces/IEnergyToken.sol";
import {ILedger} from "./interfaces/ILedger.sol";
import {IRegistry} from "./interfaces/IRegistry.sol";
import {IRewardToken} from "./interfaces/IRewardToken.sol";
import {IStorageToken} from "./interfaces/IStorageToken.sol";

/// @title Ledger
/// @notice See `ILedger`. Immutable, like the Market (docs/contracts.md says why).
contract Ledger is AccessControl, Pausable, ILedger {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Role of the Market contract: locks escrow and applies settlements.
    bytes32 public constant MARKET_ROLE = keccak256("MARKET_ROLE");
    /// @notice Role of the treasury: funds and draws the balancing account.
    bytes32 public constant TREASURY_ROLE = keccak256("TREASURY_ROLE");
    /// @notice Reason code of the rewards issued for local trading.
    bytes32 public constant LOCAL_TRADE_REWARD = keccak256("LOCAL_TRADE");

    uint8 private constant OWES_BALANCING = 1;
    uint8 private constant OWED_BY_BALANCING = 2;
    uint256 private constant MASK_32 = type(uint32).max;
    uint256 private constant MASK_64 = type(uint64).max;
    uint256 private constant MASK_96 = type(uint96).max;
    uint256 private constant MASK_40 = type(uint40).max;
    uint256 private constant MASK_48 = type(uint48).max;

    IRegistry public immutable registry;
    IERC20 public immutable creditToken;
    IEnergyToken public immutable energyToken;
    IStorageToken public immutable storageToken;
    IRewardToken public immutable rewardToken;
    /// @notice Interval length in seconds (self-discharge is charged per interval).
    uint64 public immutable intervalSeconds;

    uint128 private _balancingCredit;
    uint128 private _owedToAccounts; // total the balancing account owes prosumers
    uint256 private _owedByAccounts; // total prosumers owe the balancing account
    mapping(address holder => Account) private _accounts;
    mapping(address holder => uint256) private _owedBy;
    mapping(address holder => uint256) private _owedTo;
    EnergyTotals private _energy;
    mapping(bytes32 batteryId => BatteryState) private _batteries;

    constructor(
        address admin,
        IRegistry registry_,
        IERC20 creditToken_,
        IEnergyToken energyToken_,
        IStorageToken storageToken_,
        IRewardToken rewardToken_,
        uint64 intervalSeconds_
    ) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        registry = registry_;
        creditToken = creditToken_;
        energyToken = energyToken_;
        storageToken = storageToken_;
        rewardToken = rewardToken_;
        intervalSeconds = intervalSeconds_;
    }

    // =========================================================================================
    // prosumers and treasury
    // =========================================================================================

    /// @inheritdoc ILedger
    function deposit(uint256 amount) external whenNotPaused {
        _deposit(msg.sender, amount);
    }

    /// @inheritdoc ILedger
    function depositFor(address holder, uint256 amount) external whenNotPaused {
        _deposit(holder, amount);
    }

    function _deposit(address holder, uint256 amount) private {
        if (amount == 0) revert LedgerZeroAmount();
        Account memory a = _accounts[holder];
        uint256 available = amount;
        if (a.flags & OWES_BALANCING != 0) available = _repayOwedBy(holder, a, amount);
        a.credit = (uint256(a.credit) + available).toUint96();
        _accounts[holder] = a;
        emit CreditDeposited(holder, amount, msg.sender);
        creditToken.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc ILedger
    function withdraw(uint256 amount) external {
        if (amount == 0) revert LedgerZeroAmount();
        Account storage a = _accounts[msg.sender];
        if (a.credit < amount) revert LedgerInsufficientCredit(msg.sender, amount, a.credit);
        // amount <= a.credit, checked above
        unchecked {
            a.credit -= uint96(amount);
        }
        emit CreditWithdrawn(msg.sender, amount);
        creditToken.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ILedger
    function withdrawEnergy(uint256 amountWh) external {
        if (amountWh == 0) revert LedgerZeroAmount();
        Account storage a = _accounts[msg.sender];
        if (a.energyWh < amountWh) revert LedgerInsufficientEnergy(msg.sender, amountWh, a.energyWh);
        // amountWh <= a.energyWh, checked above
        unchecked {
            a.energyWh -= uint48(amountWh);
        }
        emit EnergyWithdrawn(msg.sender, amountWh);
        energyToken.mint(msg.sender, amountWh);
    }

    /// @inheritdoc ILedger
    function depositEnergy(uint256 amountWh) external whenNotPaused {
        if (amountWh == 0) revert LedgerZeroAmount();
        Account storage a = _accounts[msg.sender];
        a.energyWh = (uint256(a.energyWh) + amountWh).toUint48();
        emit EnergyDeposited(msg.sender, amountWh);
        energyToken.burn(msg.sender, amountWh);
    }

    /// @inheritdoc ILedger
    function claimRewards() external whenNotPaused {
        Account storage a = _accounts[msg.sender];
        uint256 amount = a.rewardAccrued;
        if (amount == 0) revert LedgerZeroAmount();
        a.rewardAccrued = 0;
        emit RewardsClaimed(msg.sender, amount);
        rewardToken.issue(msg.sender, amount, LOCAL_TRADE_REWARD);
    }

    /// @inheritdoc ILedger
    function fundBalancing(uint256 amount) external onlyRole(TREASURY_ROLE) {
        if (amount == 0) revert LedgerZeroAmount();
        _balancingCredit = (uint256(_balancingCredit) + amount).toUint128();
        emit BalancingFunded(amount, msg.sender);
        creditToken.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc ILedger
    function withdrawBalancing(uint256 amount, address to) external onlyRole(TREASURY_ROLE) {
        if (amount == 0) revert LedgerZeroAmount();
        if (_owedToAccounts != 0) revert LedgerDebtOutstanding(_owedToAccounts);
        if (_balancingCredit < amount) revert LedgerBalancingInsufficient(amount, _balancingCredit);
        // amount <= _balancingCredit, checked above
        unchecked {
            _balancingCredit -= uint128(amount);
        }
        emit BalancingWithdrawn(amount, to);
        creditToken.safeTransfer(to, amount);
    }

    /// @inheritdoc ILedger
    function payDebts(address[] calldata creditors) external whenNotPaused {
        uint256 funds = _balancingCredit;
        uint256 paidTotal;
        for (uint256 i; i < creditors.length && funds > 0; ++i) {
            address creditor = creditors[i];
            uint256 owed = _owedTo[creditor];
            if (owed == 0) continue;
            uint256 paid = owed < funds ? owed : funds;
            funds -= paid;
            paidTotal += paid;
            _owedTo[creditor] = owed - paid;
            Account storage a = _accounts[creditor];
            a.credit = (uint256(a.credit) + paid).toUint96();
            if (owed == paid) a.flags &= ~OWED_BY_BALANCING;
            emit DebtPaid(creditor, paid, false);
        }
        _balancingCredit = uint128(funds); // funds only decreased from a uint128
        _owedToAccounts -= uint128(paidTotal); // paidTotal <= the recorded debts
    }

    // =========================================================================================
    // the Market
    // =========================================================================================

    // The loops below write wide masks as shifts (shr(160, shl(160, x)) for x's low 96 bits,
    // shr(96, x) non-zero for "above 96 bits"): see the note in Market.sol.

    /// @inheritdoc ILedger
    function lockEscrow(bytes calldata escrows) external onlyRole(MARKET_ROLE) whenNotPaused {
        uint256 p;
        uint256 end;
        uint256 total;
        uint256 count;
        // Each 32-byte word: owner (20 bytes) | amount (uint96). Moves the amount from the
        // account's credit to its escrow, one storage read and one write; stops at the first
        // account short of credit or whose escrow would leave 64 bits (reported below).
        assembly ("memory-safe") {
            p := escrows.offset
            end := add(p, escrows.length)
            // amounts below 2^96 each, at most one per 32 bytes of calldata: no overflow
            mstore(0x20, _accounts.slot)
            for {} lt(p, end) { p := add(p, 32) } {
                let w := calldataload(p)
                let amount := shr(160, shl(160, w))
                mstore(0x00, shr(96, w))
                let slot := keccak256(0x00, 0x40)
                let word := sload(slot)
                let available := shr(160, shl(160, word))
                let escrow := add(shr(192, shl(96, word)), amount)
                if or(lt(available, amount), shr(64, escrow)) { break }
                // credit (low 96 bits) and escrow (next 64) replaced, the rest kept
                sstore(slot, or(shl(160, shr(160, word)), or(sub(available, amount), shl(96, escrow))))
                total := add(total, amount)
                count := add(count, 1)
            }
        }
        if (p < end) _revertLock(p);
        emit EscrowsLocked(count, total);
    }

    /// @dev Reverts with why the escrow word at calldata offset `p` cannot be locked.
    function _revertLock(uint256 p) private view {
        address owner;
        uint256 amount;
        assembly ("memory-safe") {
            let word := calldataload(p)
            owner := shr(96, word)
            amount := and(word, 0xffffffffffffffffffffffff)
        }
        uint256 word = _sload(_accountSlot(owner));
        uint256 available = word & MASK_96;
        if (available < amount) revert LedgerInsufficientCredit(owner, amount, available);
        revert SafeCast.SafeCastOverflowedUintDowncast(64, ((word >> 96) & MASK_64) + amount);
    }

    /// @inheritdoc ILedger
    function dispatchByPolicy(uint64 interval, uint64 price, bytes32[] calldata batteryIds)
        external
        onlyRole(MARKET_ROLE)
        whenNotPaused
    {
        for (uint256 i; i < batteryIds.length; ++i) {
            IRegistry.Battery memory b = registry.battery(batteryIds[i]);
            int64 powerW;
            if (price < b.chargeBelowPrice) {
                powerW = int64(uint64(b.maxChargeW));
            } else if (price > b.dischargeAbovePrice) {
                powerW = -int64(uint64(b.maxDischargeW));
            } else {
                revert LedgerBatteryPolicyNotCrossed(batteryIds[i], price);
            }
            emit BatteryDispatched(batteryIds[i], interval, powerW, bytes32(0));
        }
    }

    /// @inheritdoc ILedger
    function applySettlements(bytes calldata entries) external onlyRole(MARKET_ROLE) whenNotPaused {
        uint256 balancingCredit = _balancingCredit;
        uint256 exported;
        uint256 delivered;
        uint256 p;
        uint256 end;
        assembly ("memory-safe") {
            p := entries.offset
            end := add(p, entries.length)
        }
        Account memory a; // reused for every entry that takes the general path
        while (p < end) {
            // The common case in assembly (`_applyWithoutDebts` on the raw account word): no
            // debt flags before and none after, no field overflowing. It stops at the first
            // entry that needs more, which `_applySettlement` then applies in full.
            assembly ("memory-safe") {
                mstore(0x20, _accounts.slot)
                for {} lt(p, end) {} {
                    let w0 := calldataload(p)
                    let w1 := calldataload(add(p, 32))
                    mstore(0x00, shr(96, w0))
                    let slot := keccak256(0x00, 0x40)
                    let word := sload(slot)
                    if shr(248, word) { break }
                    // fields are below 2^96 and net below 2^127 in magnitude: no sum here
                    // reaches 2^256; every change of a field is checked to stay in the field,
                    // so adding to a field never carries into the next
                    let funds := shr(192, shl(128, w1)) // escrow released
                    if gt(funds, shr(192, shl(96, word))) { break }
                    word := sub(word, shl(96, funds))
                    funds := add(balancingCredit, funds)
                    {
                        let net := sar(128, w1)
                        switch slt(net, 0)
                        case 0 {
                            if gt(net, funds) { break }
                            if shr(96, add(shr(160, shl(160, word)), net)) {
                                break
                            }
                            funds := sub(funds, net)
                            word := add(word, net)
                        }
                        default {
                            net := sub(0, net) // now the charge
                            if gt(net, shr(160, shl(160, word))) { break }
                            funds := add(funds, net)
                            word := sub(word, net)
                        }
                    }
                    // energy: + metered export - delivered (delivered <= export, 32 bits each)
                    let exportWh := and(shr(32, w0), 0xffffffff)
                    let field := sub(exportWh, and(w0, 0xffffffff))
                    if field {
                        if gt(add(and(shr(160, word), 0xffffffffffff), field), 0xffffffffffff) { break }
                        word := add(word, shl(160, field))
                    }
                    field := shr(192, shl(192, w1)) // reward
                    if field {
                        if gt(add(and(shr(208, word), 0xffffffffff), field), 0xffffffffff) { break }
                        word := add(word, shl(208, field))
                    }
                    exported := add(exported, exportWh)
                    delivered := add(delivered, and(w0, 0xffffffff))
                    sstore(slot, word)
                    balancingCredit := funds
                    p := add(p, 64)
                }
            }
            if (p < end) {
                uint256 w0;
                uint256 w1;
                assembly ("memory-safe") {
                    w0 := calldataload(p)
                    w1 := calldataload(add(p, 32))
                }
                balancingCredit = _applySettlement(a, w0, w1, balancingCredit);
                // 32-bit fields summed at most once per 64 bytes of calldata
                unchecked {
                    exported += (w0 >> 32) & MASK_32;
                    delivered += w0 & MASK_32;
                    p += 64;
                }
            }
        }
        _balancingCredit = balancingCredit.toUint128();
        EnergyTotals storage t = _energy;
        t.meteredExportWh += exported.toUint128();
        t.consumedLocallyWh += delivered.toUint128();
    }

    /// @dev One 64-byte settlement entry (see `applySettlements`), applied to its owner's slot
    ///      with one storage read and one write.
    function _applySettlement(Account memory a, uint256 w0, uint256 w1, uint256 balancingCredit)
        private
        returns (uint256)
    {
        address owner = address(uint160(w0 >> 96));
        uint256 slot = _accountSlot(owner);
        uint256 word = _sload(slot);
        if (word >> 248 == 0) {
            (bool done, uint256 updated, uint256 balance) = _applyWithoutDebts(word, w0, w1, balancingCredit);
            if (done) {
                _sstore(slot, updated);
                return balance;
            }
        }
        _decode(a, word);
        // the buyer side pays its fill out of the escrow locked for exactly this amount
        uint256 escrow = (w1 >> 64) & MASK_64;
        a.escrow -= uint64(escrow);
        balancingCredit += escrow;

        int256 netCredit;
        assembly ("memory-safe") {
            netCredit := sar(128, w1)
        }
        if (netCredit >= 0) {
            uint256 due = uint256(netCredit);
            if (a.flags & OWES_BALANCING != 0) due = _repayOwedBy(owner, a, due);
            uint256 paid = due < balancingCredit ? due : balancingCredit;
            balancingCredit -= paid;
            a.credit = (uint256(a.credit) + paid).toUint96();
            if (due > paid) _recordOwedTo(owner, a, due - paid);
        } else {
            uint256 charge = uint256(-netCredit);
            if (a.flags & OWED_BY_BALANCING != 0) charge = _offsetOwedTo(owner, a, charge);
            uint256 taken = charge < a.credit ? charge : a.credit;
            // taken <= a.credit
            unchecked {
                a.credit -= uint96(taken);
            }
            balancingCredit += taken;
            if (charge > taken) _recordOwedBy(owner, a, charge - taken);
        }
        // energy: minted for metered export, burned for what was delivered to local buyers
        // (delivered <= export, both 32-bit fields)
        a.energyWh = (uint256(a.energyWh) + ((w0 >> 32) & MASK_32) - (w0 & MASK_32)).toUint48();
        uint256 reward = w1 & MASK_64;
        if (reward != 0) a.rewardAccrued = (uint256(a.rewardAccrued) + reward).toUint40();
        _sstore(slot, _encode(a));
        return balancingCredit;
    }

    /// @dev The common case of `_applySettlement`, on the account word: no debt flags before
    ///      and none after. Returns `done` false (and nothing changed) when a debt arises or a
    ///      field would overflow, for the general path to handle.
    function _applyWithoutDebts(uint256 word, uint256 w0, uint256 w1, uint256 balancingCredit)
        private
        pure
        returns (bool done, uint256 updated, uint256 balance)
    {
        uint256 credit = word & MASK_96;
        uint256 escrow = (word >> 96) & MASK_64;
        uint256 released = (w1 >> 64) & MASK_64;
        if (released > escrow) return (false, 0, 0);
        int256 net;
        assembly ("memory-safe") {
            net := sar(128, w1)
        }
        // fields are below 2^96 and net below 2^127 in magnitude: no sum here reaches 2^256;
        // every subtraction is guarded by the comparison before it
        unchecked {
            escrow -= released;
            balance = balancingCredit + released;
            if (net >= 0) {
                if (uint256(net) > balance) return (false, 0, 0);
                balance -= uint256(net);
                credit += uint256(net);
            } else {
                if (uint256(-net) > credit) return (false, 0, 0);
                credit -= uint256(-net);
                balance += uint256(-net);
            }
            uint256 energy = ((word >> 160) & MASK_48) + ((w0 >> 32) & MASK_32) - (w0 & MASK_32);
            uint256 reward = ((word >> 208) & MASK_40) + (w1 & MASK_64);
            if (credit > MASK_96 || energy > MASK_48 || reward > MASK_40) return (false, 0, 0);
            updated = credit | (escrow << 96) | (energy << 160) | (reward << 208);
        }
        done = true;
    }

    // -- the account word: credit (96 bits) | escrow (64) | energyWh (48) | reward (40) | flags (8),
    //    from the lowest bits up, exactly as Solidity packs `Account` in `_accounts`

    function _accountSlot(address holder) private pure returns (uint256 slot) {
        assembly ("memory-safe") {
            mstore(0x00, holder)
            mstore(0x20, _accounts.slot)
            slot := keccak256(0x00, 0x40)
        }
    }

    function _sload(uint256 slot) private view returns (uint256 word) {
        assembly ("memory-safe") {
            word := sload(slot)
        }
    }

    function _sstore(uint256 slot, uint256 word) private {
        assembly ("memory-safe") {
            sstore(slot, word)
        }
    }

    function _decode(Account memory a, uint256 word) private pure {
        a.credit = uint96(word);
        a.escrow = uint64(word >> 96);
        a.energyWh = uint48(word >> 160);
        a.rewardAccrued = uint40(word >> 208);
        a.flags = uint8(word >> 248);
    }

    function _encode(Account memory a) private pure returns (uint256) {
        return uint256(a.credit) | (uint256(a.escrow) << 96) | (uint256(a.energyWh) << 160)
            | (uint256(a.rewardAccrued) << 208) | (uint256(a.flags) << 248);
    }

    /// @dev Uses `amount` coming in to `holder` to repay what it owes; returns the rest.
    function _repayOwedBy(address holder, Account memory a, uint256 amount) private returns (uint256) {
        uint256 owed = _owedBy[holder];
        uint256 repaid = owed < amount ? owed : amount;
        _owedBy[holder] = owed - repaid;
        _owedByAccounts -= repaid;
        _balancingCredit = (uint256(_balancingCredit) + repaid).toUint128();
        if (owed == repaid) a.flags &= ~OWES_BALANCING;
        emit DebtPaid(holder, repaid, true);
        return amount - repaid;
    }

    /// @dev Offsets a charge against what the balancing account owes `holder`; returns the rest.
    function _offsetOwedTo(address holder, Account memory a, uint256 charge) private returns (uint256) {
        uint256 owed = _owedTo[holder];
        uint256 offset = owed < charge ? owed : charge;
        _owedTo[holder] = owed - offset;
        _owedToAccounts -= uint128(offset); // offset <= owed <= _owedToAccounts
        if (owed == offset) a.flags &= ~OWED_BY_BALANCING;
        emit DebtPaid(holder, offset, false);
        return charge - offset;
    }

    function _recordOwedTo(address holder, Account memory a, uint256 amount) private {
        _owedTo[holder] += amount;
        _owedToAccounts = (uint256(_owedToAccounts) + amount).toUint128();
        a.flags |= OWED_BY_BALANCING;
        emit DebtRecorded(holder, amount, false);
    }

    function _recordOwedBy(address holder, Account memory a, uint256 amount) private {
        _owedBy[holder] += amount;
        _owedByAccounts += amount;
        a.flags |= OWES_BALANCING;
        emit DebtRecorded(holder, amount, true);
    }

    // =========================================================================================
    // storage
    // =========================================================================================

    /// @inheritdoc ILedger
    function chargeStorage(bytes32 batteryId, uint64 energyWh) external whenNotPaused {
        if (energyWh == 0) revert LedgerZeroAmount();
        IRegistry.Battery memory b = _ownedBattery(batteryId);
        BatteryState storage st = _selfDischarge(batteryId, b);
        uint64 stored = st.storedWh + energyWh;
        if (stored > b.capacityWh) revert LedgerStorageCapacityExceeded(batteryId, stored, b.capacityWh);
        Account storage a = _accounts[msg.sender];
        if (a.energyWh < energyWh) revert LedgerInsufficientEnergy(msg.sender, energyWh, a.energyWh);
        // energyWh <= a.energyWh, checked above
        unchecked {
            a.energyWh -= uint48(energyWh);
        }
        st.storedWh = stored;
        _energy.storedWh += energyWh;
        emit StorageCharged(batteryId, msg.sender, energyWh);
        storageToken.mint(msg.sender, energyWh);
    }

    /// @inheritdoc ILedger
    function dischargeStorage(bytes32 batteryId, uint64 storedWh) external whenNotPaused {
        if (storedWh == 0) revert LedgerZeroAmount();
        IRegistry.Battery memory b = _ownedBattery(batteryId);
        BatteryState storage st = _selfDischarge(batteryId, b);
        if (st.storedWh < storedWh) revert LedgerStorageInsufficient(batteryId, st.storedWh, storedWh);
        // storedWh <= st.storedWh, checked above
        unchecked {
            st.storedWh -= storedWh;
        }
        // storedWh < 2^64 and efficiency <= 10,000, so the product fits and the result <= storedWh
        uint64 energyWh = uint64(uint256(storedWh) * b.roundTripEfficiencyBps / 10_000);
        Account storage a = _accounts[msg.sender];
        a.energyWh = (uint256(a.energyWh) + energyWh).toUint48();
        _energy.dischargedWh += energyWh;
        _energy.dischargedStoredWh += storedWh;
        emit StorageDischarged(batteryId, msg.sender, storedWh, energyWh);
        storageToken.burn(msg.sender, storedWh);
    }

    /// @inheritdoc ILedger
    function applySelfDischarge(bytes32 batteryId) external whenNotPaused {
        _selfDischarge(batteryId, registry.battery(batteryId));
    }

    function _ownedBattery(bytes32 batteryId) private view returns (IRegistry.Battery memory b) {
        b = registry.battery(batteryId);
        if (b.owner != msg.sender) revert LedgerNotBatteryOwner(batteryId, msg.sender);
    }

    /// @dev Burns what the battery lost since self-discharge was last applied (nothing the
    ///      first time: a battery holds nothing before its first charge).
    function _selfDischarge(bytes32 batteryId, IRegistry.Battery memory b) private returns (BatteryState storage st) {
        st = _batteries[batteryId];
        uint64 current = uint64(block.timestamp / intervalSeconds);
        uint64 last = st.lastInterval;
        st.lastInterval = current;
        uint64 stored = st.storedWh;
        if (last == 0 || current <= last || stored == 0) return st;
        uint64 elapsed = current - last;
        uint256 lossFull = uint256(elapsed) * b.selfDischargeWhPerInterval;
        uint64 loss = lossFull < stored ? uint64(lossFull) : stored;
        if (loss == 0) return st;
        // loss <= stored
        unchecked {
            st.storedWh = stored - loss;
        }
        _energy.selfDischargedWh += loss;
        emit SelfDischargeApplied(batteryId, loss, elapsed);
        storageToken.burn(b.owner, loss);
    }

    // =========================================================================================
    // governance and views
    // =========================================================================================

    /// @inheritdoc ILedger
    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    /// @inheritdoc ILedger
    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    /// @inheritdoc ILedger
    function account(address holder) external view returns (Account memory) {
        return _accounts[holder];
    }

    /// @inheritdoc ILedger
    function debtOf(address holder) external view returns (uint256 owedByAccount, uint256 owedToAccount) {
        return (_owedBy[holder], _owedTo[holder]);
    }

    /// @inheritdoc ILedger
    function balancing() external view returns (uint256 credit, uint256 owedToAccounts, uint256 owedByAccounts) {
        return (_balancingCredit, _owedToAccounts, _owedByAccounts);
    }

    /// @inheritdoc ILedger
    function energyTotals() external view returns (EnergyTotals memory) {
        return _energy;
    }

    /// @inheritdoc ILedger
    function batteryState(bytes32 batteryId) external view returns (BatteryState memory) {
        return _batteries[batteryId];
    }
}
