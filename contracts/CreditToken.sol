// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ICreditToken} from "./interfaces/ICreditToken.sol";

/// @title CreditToken
/// @notice ERC-20 settlement currency of the transactive energy market. Supply changes only
///         through the treasury role; every balance change goes through ERC20's `_update`.
contract CreditToken is ERC20, AccessControl, ICreditToken {
    /// @notice Role allowed to issue and retire credit.
    bytes32 public constant TREASURY_ROLE = keccak256("TREASURY_ROLE");

    /// @param admin Receives `DEFAULT_ADMIN_ROLE` (consortium governance), which grants and
    ///        revokes every other role; the deployer keeps no role unless it is `admin`.
    constructor(address admin) ERC20("TEM Credit", "TEMC") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Credit units are 0.01 EUR-cent, so four decimals display euros.
    function decimals() public pure override returns (uint8) {
        return 4;
    }

    /// @inheritdoc ICreditToken
    function mint(address account, uint256 amount) external onlyRole(TREASURY_ROLE) {
        if (amount == 0) revert CreditZeroAmount();
        _mint(account, amount);
        emit CreditIssued(account, amount, msg.sender);
    }

    /// @inheritdoc ICreditToken
    function retire(address account, uint256 amount) external onlyRole(TREASURY_ROLE) {
        if (amount == 0) revert CreditZeroAmount();
        _spendAllowance(account, msg.sender, amount);
        _burn(account, amount);
        emit CreditRetired(account, amount, msg.sender);
    }
}
