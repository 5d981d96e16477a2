# Generated from contracts/artifacts/*.json
# by `python -m contracts.bindings.generate`. Do not edit: change the contract, rebuild,
# regenerate.
"""Function sets several contracts inherit from OpenZeppelin, bound once."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from contracts.bindings.base import BoundContract, to_address


class AccessControlFunctions(BoundContract):
    """The AccessControl functions."""

    def default_admin_role(self) -> bytes:
        """Call `DEFAULT_ADMIN_ROLE()`."""
        returned = self._call("DEFAULT_ADMIN_ROLE")
        return bytes(returned)

    def get_role_admin(self, role: bytes) -> bytes:
        """Call `getRoleAdmin(bytes32 role)`."""
        returned = self._call("getRoleAdmin", role)
        return bytes(returned)

    def grant_role(self, role: bytes, account: str, *, sender: LocalAccount) -> TxReceipt:
        """Send `grantRole(bytes32 role, address account)`."""
        return self._send(sender, "grantRole", role, to_address(account))

    def has_role(self, role: bytes, account: str) -> bool:
        """Call `hasRole(bytes32 role, address account)`."""
        returned = self._call("hasRole", role, to_address(account))
        return bool(returned)

    def renounce_role(
        self,
        role: bytes,
        caller_confirmation: str,
        *,
        sender: LocalAccount,
    ) -> TxReceipt:
        """Send `renounceRole(bytes32 role, address callerConfirmation)`."""
        return self._send(sender, "renounceRole", role, to_address(caller_confirmation))

    def revoke_role(self, role: bytes, account: str, *, sender: LocalAccount) -> TxReceipt:
        """Send `revokeRole(bytes32 role, address account)`."""
        return self._send(sender, "revokeRole", role, to_address(account))

    def supports_interface(self, interface_id: bytes) -> bool:
        """Call `supportsInterface(bytes4 interfaceId)`."""
        returned = self._call("supportsInterface", interface_id)
        return bool(returned)


class ERC20Functions(BoundContract):
    """The ERC20 functions."""

    def allowance(self, owner: str, spender: str) -> int:
        """Call `allowance(address owner, address spender)`."""
        returned = self._call("allowance", to_address(owner), to_address(spender))
        return int(returned)

    def approve(self, spender: str, value: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `approve(address spender, uint256 value)`."""
        return self._send(sender, "approve", to_address(spender), value)

    def balance_of(self, account: str) -> int:
        """Call `balanceOf(address account)`."""
        returned = self._call("balanceOf", to_address(account))
        return int(returned)

    def decimals(self) -> int:
        """Call `decimals()`."""
        returned = self._call("decimals")
        return int(returned)

    def name(self) -> str:
        """Call `name()`."""
        returned = self._call("name")
        return str(returned)

    def symbol(self) -> str:
        """Call `symbol()`."""
        returned = self._call("symbol")
        return str(returned)

    def total_supply(self) -> int:
        """Call `totalSupply()`."""
        returned = self._call("totalSupply")
        return int(returned)

    def transfer(self, to: str, value: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `transfer(address to, uint256 value)`."""
        return self._send(sender, "transfer", to_address(to), value)

    def transfer_from(self, from_: str, to: str, value: int, *, sender: LocalAccount) -> TxReceipt:
        """Send `transferFrom(address from, address to, uint256 value)`."""
        return self._send(sender, "transferFrom", to_address(from_), to_address(to), value)


class PausableFunctions(BoundContract):
    """The Pausable functions."""

    def pause(self, *, sender: LocalAccount) -> TxReceipt:
        """Send `pause()`."""
        return self._send(sender, "pause")

    def paused(self) -> bool:
        """Call `paused()`."""
        returned = self._call("paused")
        return bool(returned)

    def unpause(self, *, sender: LocalAccount) -> TxReceipt:
        """Send `unpause()`."""
        return self._send(sender, "unpause")
