// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title Energy token: locally generated energy, 1 unit = 1 Wh
/// @notice Minted for metered export, burned when that energy is consumed locally or stored.
///         The Market keeps prosumers' energy in an internal ledger and mints or burns the
///         ERC-20 only when a prosumer moves energy between the ledger and a wallet.
interface IEnergyToken {
    /// @notice `amountWh` energy tokens were minted to `account` by `minter`.
    event EnergyMinted(address indexed account, uint256 amountWh, address indexed minter);

    /// @notice `amountWh` energy tokens held by `account` were burned by `minter`.
    event EnergyBurned(address indexed account, uint256 amountWh, address indexed minter);

    /// @notice A mint or burn of zero Wh was asked for.
    error EnergyZeroAmount();

    /// @notice Mints `amountWh` tokens to `account`.
    /// @dev Only `MINTER_ROLE` (the Market).
    /// @param account Receiver of the tokens.
    /// @param amountWh Energy in Wh.
    function mint(address account, uint256 amountWh) external;

    /// @notice Burns `amountWh` tokens held by `account`.
    /// @dev Only `MINTER_ROLE` (the Market, which burns only on the holder's own request).
    ///      Reverts with OpenZeppelin's `ERC20InsufficientBalance` if the holder has less.
    /// @param account Holder of the tokens.
    /// @param amountWh Energy in Wh.
    function burn(address account, uint256 amountWh) external;
}
