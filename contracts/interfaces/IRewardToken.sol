// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title Reward token: flexibility and local-trading rewards, redeemable for vouchers
/// @notice `REWARD_ISSUER_ROLE` issues rewards with a reason code. A holder redeems rewards
///         by burning them; the voucher oracle answers with the hash of the voucher code it
///         issued off-chain. A redemption nobody fulfilled before its deadline is refunded.
interface IRewardToken {
    /// @notice Lifecycle of a redemption.
    enum RedemptionStatus {
        None,
        Pending,
        Fulfilled,
        Refunded
    }

    /// @notice One redemption request, packed in two storage slots.
    struct Redemption {
        address redeemer;
        uint64 deadline;
        RedemptionStatus status;
        uint128 amount;
        bytes32 kind;
    }

    /// @notice `amount` rewards were issued to `account` for `reason` by `issuer`.
    event RewardIssued(address indexed account, uint256 amount, bytes32 indexed reason, address issuer);

    /// @notice `redeemer` burned `amount` rewards asking for a voucher of `kind`.
    event RewardRedeemed(
        uint256 indexed redemptionId, address indexed redeemer, uint256 amount, bytes32 kind, uint64 deadline
    );

    /// @notice The voucher oracle issued the voucher whose code hashes to `voucherCodeHash`.
    event VoucherIssued(uint256 indexed redemptionId, address indexed redeemer, bytes32 voucherCodeHash);

    /// @notice An unfulfilled redemption passed its deadline and its rewards were minted back.
    event RedemptionRefunded(uint256 indexed redemptionId, address indexed redeemer, uint256 amount);

    /// @notice Governance changed how long the voucher oracle has to answer a redemption.
    event RedemptionWindowSet(uint64 windowSeconds);

    /// @notice Zero rewards were asked for.
    error RewardZeroAmount();

    /// @notice No redemption has this id.
    error RewardRedemptionUnknown(uint256 redemptionId);

    /// @notice The redemption was already fulfilled or refunded.
    error RewardRedemptionClosed(uint256 redemptionId, RedemptionStatus status);

    /// @notice A refund was asked for before the redemption's deadline.
    error RewardRedemptionNotExpired(uint256 redemptionId, uint64 deadline);

    /// @notice The voucher answered after the redemption's deadline.
    error RewardRedemptionExpired(uint256 redemptionId, uint64 deadline);

    /// @notice A voucher code hash of zero was given.
    error RewardVoucherHashZero(uint256 redemptionId);

    /// @notice The redemption window must be positive.
    error RewardWindowZero();

    /// @notice Issues `amount` rewards to `account`.
    /// @dev Only `REWARD_ISSUER_ROLE` (the demand-response operator, and the Market for its
    ///      per-kWh local-trading reward).
    /// @param account The rewarded prosumer.
    /// @param amount Reward units.
    /// @param reason Reason code, e.g. `keccak256("DEMAND_RESPONSE")`.
    function issue(address account, uint256 amount, bytes32 reason) external;

    /// @notice Burns `amount` of the caller's rewards and asks for a voucher of `kind`.
    /// @param amount Reward units to burn.
    /// @param kind What voucher is wanted (a code the voucher oracle understands).
    /// @return redemptionId The id the voucher oracle answers to.
    function redeem(uint256 amount, bytes32 kind) external returns (uint256 redemptionId);

    /// @notice Records the voucher issued for a pending redemption.
    /// @dev Only `VOUCHER_ORACLE_ROLE`, before the redemption's deadline.
    /// @param redemptionId The redemption answered.
    /// @param voucherCodeHash keccak256 of the voucher code (the code itself stays off-chain).
    function fulfil(uint256 redemptionId, bytes32 voucherCodeHash) external;

    /// @notice Mints the rewards of an unfulfilled redemption back to its redeemer.
    /// @dev Anyone may call it once the deadline has passed.
    /// @param redemptionId The redemption to refund.
    function refund(uint256 redemptionId) external;

    /// @notice Sets how long the voucher oracle has to answer new redemptions.
    /// @dev Only `DEFAULT_ADMIN_ROLE`.
    /// @param windowSeconds Seconds from the redemption to its deadline.
    function setRedemptionWindow(uint64 windowSeconds) external;

    /// @notice A redemption by id.
    function redemption(uint256 redemptionId) external view returns (Redemption memory);
}
