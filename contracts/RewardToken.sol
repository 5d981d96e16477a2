// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IRewardToken} from "./interfaces/IRewardToken.sol";

/// @title RewardToken
/// @notice ERC-20 rewards for flexibility and local trading, redeemable for vouchers issued
///         off-chain by the voucher oracle.
contract RewardToken is ERC20, AccessControl, IRewardToken {
    /// @notice Role allowed to issue rewards (demand-response operator, the Market).
    bytes32 public constant REWARD_ISSUER_ROLE = keccak256("REWARD_ISSUER_ROLE");
    /// @notice Role of the voucher oracle, which answers redemptions.
    bytes32 public constant VOUCHER_ORACLE_ROLE = keccak256("VOUCHER_ORACLE_ROLE");

    /// @notice Seconds the voucher oracle has to answer a redemption.
    uint64 public redemptionWindow = 7 days;
    /// @notice Number of redemptions so far; ids start at 1.
    uint256 public redemptionCount;

    mapping(uint256 redemptionId => Redemption) private _redemptions;

    /// @param admin Receives `DEFAULT_ADMIN_ROLE`.
    constructor(address admin) ERC20("TEM Reward", "TEMR") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Rewards are whole points.
    function decimals() public pure override returns (uint8) {
        return 0;
    }

    /// @inheritdoc IRewardToken
    function issue(address account, uint256 amount, bytes32 reason) external onlyRole(REWARD_ISSUER_ROLE) {
        if (amount == 0) revert RewardZeroAmount();
        _mint(account, amount);
        emit RewardIssued(account, amount, reason, msg.sender);
    }

    /// @inheritdoc IRewardToken
    function redeem(uint256 amount, bytes32 kind) external returns (uint256 redemptionId) {
        if (amount == 0) revert RewardZeroAmount();
        _burn(msg.sender, amount);
        redemptionId = ++redemptionCount;
        uint64 deadline = SafeCast.toUint64(block.timestamp) + redemptionWindow;
        _redemptions[redemptionId] = Redemption({
            redeemer: msg.sender,
            deadline: deadline,
            status: RedemptionStatus.Pending,
            amount: SafeCast.toUint128(amount),
            kind: kind
        });
        emit RewardRedeemed(redemptionId, msg.sender, amount, kind, deadline);
    }

    /// @inheritdoc IRewardToken
    function fulfil(uint256 redemptionId, bytes32 voucherCodeHash) external onlyRole(VOUCHER_ORACLE_ROLE) {
        Redemption storage r = _pending(redemptionId);
        if (block.timestamp > r.deadline) revert RewardRedemptionExpired(redemptionId, r.deadline);
        if (voucherCodeHash == bytes32(0)) revert RewardVoucherHashZero(redemptionId);
        r.status = RedemptionStatus.Fulfilled;
        emit VoucherIssued(redemptionId, r.redeemer, voucherCodeHash);
    }

    /// @inheritdoc IRewardToken
    function refund(uint256 redemptionId) external {
        Redemption storage r = _pending(redemptionId);
        if (block.timestamp <= r.deadline) revert RewardRedemptionNotExpired(redemptionId, r.deadline);
        r.status = RedemptionStatus.Refunded;
        _mint(r.redeemer, r.amount);
        emit RedemptionRefunded(redemptionId, r.redeemer, r.amount);
    }

    /// @inheritdoc IRewardToken
    function setRedemptionWindow(uint64 windowSeconds) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (windowSeconds == 0) revert RewardWindowZero();
        redemptionWindow = windowSeconds;
        emit RedemptionWindowSet(windowSeconds);
    }

    /// @inheritdoc IRewardToken
    function redemption(uint256 redemptionId) external view returns (Redemption memory) {
        return _redemptions[redemptionId];
    }

    function _pending(uint256 redemptionId) private view returns (Redemption storage r) {
        r = _redemptions[redemptionId];
        if (r.status == RedemptionStatus.None) revert RewardRedemptionUnknown(redemptionId);
        if (r.status != RedemptionStatus.Pending) revert RewardRedemptionClosed(redemptionId, r.status);
    }
}
