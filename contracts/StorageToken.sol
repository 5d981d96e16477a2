// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IStorageToken} from "./interfaces/IStorageToken.sol";

/// @title StorageToken
/// @notice ERC-20 for energy held in batteries (1 unit = 1 Wh stored). Only mints and burns
///         by `MINTER_ROLE` (the Market) change balances: a stored Wh is inside one owner's
///         battery and cannot be handed to someone else.
contract StorageToken is ERC20, AccessControl, IStorageToken {
    /// @notice Role allowed to mint and burn (granted to the Market at deployment).
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @param admin Receives `DEFAULT_ADMIN_ROLE`.
    constructor(address admin) ERC20("TEM Stored Energy", "TEMST") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice 1 unit is 1 Wh, so three decimals display kWh.
    function decimals() public pure override returns (uint8) {
        return 3;
    }

    /// @inheritdoc IStorageToken
    function mint(address account, uint256 amountWh) external onlyRole(MINTER_ROLE) {
        if (amountWh == 0) revert StorageZeroAmount();
        _mint(account, amountWh);
        emit StorageMinted(account, amountWh, msg.sender);
    }

    /// @inheritdoc IStorageToken
    function burn(address account, uint256 amountWh) external onlyRole(MINTER_ROLE) {
        if (amountWh == 0) revert StorageZeroAmount();
        _burn(account, amountWh);
        emit StorageBurned(account, amountWh, msg.sender);
    }

    /// @dev The one choke point of every balance change: only mints and burns pass.
    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) revert StorageTransferDisabled(from, to);
        super._update(from, to, value);
    }
}
