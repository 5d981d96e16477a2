// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title Storage token: energy held in a registered battery, 1 unit = 1 Wh stored
/// @notice Minted when a battery owner exchanges energy tokens for stored energy, burned when
///         the energy is discharged or lost to self-discharge. Storage tokens stand for energy
///         inside one particular asset, so they cannot be transferred between holders.
interface IStorageToken {
    /// @notice `amountWh` storage tokens were minted to `account` by `minter`.
    event StorageMinted(address indexed account, uint256 amountWh, address indexed minter);

    /// @notice `amountWh` storage tokens held by `account` were burned by `minter`.
    event StorageBurned(address indexed account, uint256 amountWh, address indexed minter);

    /// @notice A mint or burn of zero Wh was asked for.
    error StorageZeroAmount();

    /// @notice A transfer between two holders was attempted; stored energy cannot move.
    error StorageTransferDisabled(address from, address to);

    /// @notice Mints `amountWh` storage tokens to `account`.
    /// @dev Only `MINTER_ROLE` (the Market).
    /// @param account The battery owner.
    /// @param amountWh Stored energy in Wh.
    function mint(address account, uint256 amountWh) external;

    /// @notice Burns `amountWh` storage tokens held by `account`.
    /// @dev Only `MINTER_ROLE` (the Market).
    /// @param account The battery owner.
    /// @param amountWh Stored energy in Wh.
    function burn(address account, uint256 amountWh) external;
}
