// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title Credit token: the market's settlement currency
/// @notice One credit unit is 0.01 EUR-cent (so `decimals()` is 4 and 10,000 units are one
///         euro). Amounts are integers everywhere; there is no fractional credit.
interface ICreditToken {
    /// @notice The treasury issued `amount` credit units to `account` (onboarding, top-up).
    event CreditIssued(address indexed account, uint256 amount, address indexed treasury);

    /// @notice The treasury retired `amount` credit units held by `account` (pay-out).
    event CreditRetired(address indexed account, uint256 amount, address indexed treasury);

    /// @notice An issue or retirement of zero credit units was asked for.
    error CreditZeroAmount();

    /// @notice Issues `amount` credit units to `account`.
    /// @dev Only `TREASURY_ROLE`; reverts with `CreditZeroAmount` for zero and with
    ///      OpenZeppelin's `ERC20InvalidReceiver` for the zero address.
    /// @param account The prosumer (or contract) that receives the credit.
    /// @param amount Credit units (1 unit = 0.01 EUR-cent).
    function mint(address account, uint256 amount) external;

    /// @notice Retires `amount` credit units from `account`, which must have approved the
    ///         treasury caller for at least `amount`.
    /// @dev Only `TREASURY_ROLE`; pay-outs leave the chain through the treasury's books.
    /// @param account The holder whose credit is retired.
    /// @param amount Credit units (1 unit = 0.01 EUR-cent).
    function retire(address account, uint256 amount) external;
}
