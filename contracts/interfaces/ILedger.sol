// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title Ledger: the one place where credit, escrow, energy, rewards and debts change
/// @notice Prosumers' credit, locked escrow, energy tokens and accrued rewards live here, one
///         storage slot per account; the ERC-20s move only on deposit, withdrawal and claim.
///         The Market (`MARKET_ROLE`) locks escrow at clearing and applies each meter's
///         settlement in batches. The balancing account is the counterparty of every
///         imbalance and the clearing house of every fill; when it cannot pay, a debt is
///         recorded instead of failing, and when a prosumer cannot pay, the same.
///         Battery owners exchange ledger energy for storage tokens here.
/// @dev Conservation: creditToken.balanceOf(ledger) == sum(credit + escrow) + balancing;
///      energyToken.totalSupply() + sum(energyWh) == meteredExport - consumedLocally
///      - stored + discharged; storageToken.totalSupply() == stored - dischargedStored
///      - selfDischarged.
interface ILedger {
    /// @notice A prosumer's ledger entry, one storage slot.
    struct Account {
        uint96 credit; // available credit units
        uint64 escrow; // credit units locked for cleared, unsettled purchases
        uint48 energyWh; // energy tokens held in the ledger
        uint40 rewardAccrued; // local-trading rewards not yet claimed
        uint8 flags; // bit 0: owes the balancing account; bit 1: is owed by it
    }

    /// @notice Running totals that the conservation invariants are checked against.
    struct EnergyTotals {
        uint128 meteredExportWh; // energy tokens minted for metered export
        uint128 consumedLocallyWh; // energy tokens burned as delivered to local buyers
        uint128 storedWh; // energy tokens exchanged for storage tokens
        uint128 dischargedWh; // energy tokens returned from storage (after efficiency)
        uint128 dischargedStoredWh; // storage tokens burned by discharging (before efficiency)
        uint128 selfDischargedWh; // storage tokens burned by self-discharge
    }

    /// @notice A battery's state of charge and when self-discharge was last applied.
    struct BatteryState {
        uint64 storedWh;
        uint64 lastInterval;
    }

    /// @notice `from` deposited `amount` credit units into `account`'s ledger.
    event CreditDeposited(address indexed account, uint256 amount, address indexed from);
    /// @notice `account` withdrew `amount` credit units to its wallet.
    event CreditWithdrawn(address indexed account, uint256 amount);
    /// @notice `account` moved `amountWh` energy tokens from its ledger to its wallet.
    event EnergyWithdrawn(address indexed account, uint256 amountWh);
    /// @notice `account` moved `amountWh` energy tokens from its wallet into its ledger.
    event EnergyDeposited(address indexed account, uint256 amountWh);
    /// @notice `account` claimed `amount` accrued local-trading rewards.
    event RewardsClaimed(address indexed account, uint256 amount);
    /// @notice The treasury put `amount` credit units into the balancing account.
    event BalancingFunded(uint256 amount, address indexed treasury);
    /// @notice The treasury took `amount` credit units out of the balancing account.
    event BalancingWithdrawn(uint256 amount, address indexed to);
    /// @notice A payment could not be made in full; `amount` was recorded as a debt.
    ///         `owedByAccount`: the prosumer owes the balancing account (else the reverse).
    event DebtRecorded(address indexed account, uint256 amount, bool owedByAccount);
    /// @notice `amount` of a recorded debt was paid.
    event DebtPaid(address indexed account, uint256 amount, bool owedByAccount);

    /// @notice Energy tokens were exchanged for storage tokens.
    event StorageCharged(bytes32 indexed battery, address indexed owner, uint64 energyWh);
    /// @notice Storage tokens were exchanged back for energy tokens at the round-trip efficiency.
    event StorageDischarged(bytes32 indexed battery, address indexed owner, uint64 storedWh, uint64 energyWh);
    /// @notice Self-discharge burned `lossWh` storage tokens over `intervals` intervals.
    event SelfDischargeApplied(bytes32 indexed battery, uint64 lossWh, uint64 intervals);
    /// @notice A battery is to charge (positive power) or discharge (negative) in `interval`
    ///         because the posted local price crossed its owner's policy (`orderHash` zero;
    ///         the Market emits the same event for filled orders that carry a battery).
    event BatteryDispatched(bytes32 indexed battery, uint64 indexed interval, int64 powerW, bytes32 orderHash);

    /// @notice The Market locked `totalCredit` credit units of `accounts` purchases as escrow
    ///         (one clearing chunk; each account's amount follows from the chunk's positions).
    event EscrowsLocked(uint256 accounts, uint256 totalCredit);

    error LedgerZeroAmount();
    error LedgerInsufficientCredit(address account, uint256 needed, uint256 available);
    error LedgerInsufficientEnergy(address account, uint256 needed, uint256 available);
    error LedgerDebtOutstanding(uint256 owedToAccounts);
    error LedgerBalancingInsufficient(uint256 needed, uint256 available);

    error LedgerBatteryPolicyNotCrossed(bytes32 batteryId, uint64 price);
    error LedgerNotBatteryOwner(bytes32 batteryId, address caller);
    error LedgerStorageCapacityExceeded(bytes32 batteryId, uint64 storedWh, uint64 capacityWh);
    error LedgerStorageInsufficient(bytes32 batteryId, uint64 storedWh, uint64 requestedWh);


    // -- prosumers and treasury --------------------------------------------------------------------------------

    /// @notice Deposits `amount` credit units (approved to the Market) into the caller's ledger;
    ///         a debt the caller owes the balancing account is repaid first.
    function deposit(uint256 amount) external;

    /// @notice Deposits `amount` of the caller's credit into `account`'s ledger (onboarding).
    function depositFor(address account, uint256 amount) external;

    /// @notice Withdraws `amount` available credit units to the caller's wallet.
    /// @dev Works while the Market is paused, so prosumers can always leave.
    function withdraw(uint256 amount) external;

    /// @notice Mints `amountWh` energy tokens from the caller's ledger to its wallet.
    /// @dev Works while paused.
    function withdrawEnergy(uint256 amountWh) external;

    /// @notice Burns `amountWh` energy tokens from the caller's wallet into its ledger.
    function depositEnergy(uint256 amountWh) external;

    /// @notice Mints the caller's accrued local-trading rewards as reward tokens.
    function claimRewards() external;

    /// @notice Puts `amount` of the treasury's credit into the balancing account.
    /// @dev Only `TREASURY_ROLE`.
    function fundBalancing(uint256 amount) external;

    /// @notice Takes `amount` credit units out of the balancing account to `to`.
    /// @dev Only `TREASURY_ROLE`, and only when the balancing account owes nobody.
    function withdrawBalancing(uint256 amount, address to) external;

    /// @notice Pays, as far as the balancing account can, what it owes `creditors`.
    function payDebts(address[] calldata creditors) external;

    // -- the Market ---------------------------------------------------------------------------

    /// @notice Locks escrow for cleared purchases: for each 32-byte word of `escrows`
    ///         (owner address in the high 160 bits, amount in the low 96), moves the amount of
    ///         the owner's available credit to escrow.
    /// @dev Only `MARKET_ROLE`. Reverts with `LedgerInsufficientCredit` naming the first
    ///      account that cannot pay, so the whole clearing chunk reverts.
    function lockEscrow(bytes calldata escrows) external;

    /// @notice Dispatches the listed batteries whose owner's policy `price` crosses: charge
    ///         at full power strictly below the charge price, discharge strictly above the
    ///         discharge price.
    /// @dev Only `MARKET_ROLE` (the Market forwards the price oracle's posted price).
    ///      Reverts with `LedgerBatteryPolicyNotCrossed` for a listed battery not crossed.
    function dispatchByPolicy(uint64 interval, uint64 price, bytes32[] calldata batteryIds) external;

    /// @notice Applies meters' settlements: escrow released into the balancing account, the
    ///         net credit paid or charged (a shortfall on either side is recorded as debt),
    ///         energy minted for export and burned for local delivery, rewards accrued.
    /// @dev Only `MARKET_ROLE`. `entries` holds 64-byte records: owner (20 bytes), meter
    ///      index (4), metered export Wh (4), delivered Wh (4) | net credit int128 (16),
    ///      escrow (8), reward (8) (the Market's `MetersSettled` carries the same bytes).
    function applySettlements(bytes calldata entries) external;

    // -- storage -------------------------------------------------------------------------------

    /// @notice Exchanges `energyWh` of the caller's ledger energy for storage tokens of its battery.
    function chargeStorage(bytes32 batteryId, uint64 energyWh) external;

    /// @notice Exchanges `storedWh` storage tokens back for energy at the round-trip efficiency.
    function dischargeStorage(bytes32 batteryId, uint64 storedWh) external;

    /// @notice Burns the storage tokens a battery lost to self-discharge since last applied.
    function applySelfDischarge(bytes32 batteryId) external;

    // -- governance ----------------------------------------------------------------------------

    /// @notice Stops deposits, claims, storage exchanges and the Market's calls; withdrawals
    ///         of credit and energy still work, so prosumers can always leave.
    /// @dev Only `DEFAULT_ADMIN_ROLE`.
    function pause() external;

    /// @notice Resumes after `pause`.
    /// @dev Only `DEFAULT_ADMIN_ROLE`.
    function unpause() external;

    // -- views ---------------------------------------------------------------------------------

    /// @notice A prosumer's ledger entry.
    function account(address holder) external view returns (Account memory);

    /// @notice Debts between `holder` and the balancing account.
    function debtOf(address holder) external view returns (uint256 owedByAccount, uint256 owedToAccount);

    /// @notice The balancing account's credit and the totals of recorded debts.
    function balancing() external view returns (uint256 credit, uint256 owedToAccounts, uint256 owedByAccounts);

    /// @notice Running energy totals.
    function energyTotals() external view returns (EnergyTotals memory);

    /// @notice A battery's state of charge.
    function batteryState(bytes32 batteryId) external view returns (BatteryState memory);
}
