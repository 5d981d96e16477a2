// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IEnergyToken} from "./interfaces/IEnergyToken.sol";

/// @title EnergyToken
/// @notice ERC-20 for locally generated energy (1 unit = 1 Wh). Supply changes only through
///         `MINTER_ROLE` (the Market); every balance change goes through ERC20's `_update`.
contract EnergyToken is ERC20, AccessControl, IEnergyToken {
    /// @notice Role allowed to mint and burn (granted to the Market at deployment).
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @param admin Receives `DEFAULT_ADMIN_ROLE`.
    constructor(address admin) ERC20("TEM Energy", "TEMWH") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice 1 unit is 1 Wh, so three decimals display kWh.
    function decimals() public pure override returns (uint8) {
        return 3;
    }

    /// @inheritdoc IEnergyToken
    function mint(address account, uint256 amountWh) external onlyRole(MINTER_ROLE) {
        if (amountWh == 0) revert EnergyZeroAmount();
        _mint(account, amountWh);
        emit EnergyMinted(account, amountWh, msg.sender);
    }

    /// @inheritdoc IEnergyToken
    function burn(address account, uint256 amountWh) external onlyRole(MINTER_ROLE) {
        if (amountWh == 0) revert EnergyZeroAmount();
        _burn(account, amountWh);
        emit EnergyBurned(account, amountWh, msg.sender);
    }
}
