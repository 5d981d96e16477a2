"""The order book's Merkle tree, exactly as `BookMerkle.sol` computes it.

Leaves are order digests in book order; a node is keccak256(left ++ right); a level with an
odd count is padded with Z(h), the root of an empty subtree of that height (Z(0) = 0). That
equals padding the leaves with zeros to a power of two, so aligned chunks of 2^k leaves
have their own subtree roots, which combine into the book root from level k up.
"""

from __future__ import annotations

from collections.abc import Sequence

from eth_utils import keccak

ZERO = b"\0" * 32


def hash_pair(left: bytes, right: bytes) -> bytes:
    return keccak(left + right)


def empty_subtree(height: int) -> bytes:
    z = ZERO
    for _ in range(height):
        z = hash_pair(z, z)
    return z


def _reduce(nodes: list[bytes], z: bytes) -> list[bytes]:
    if len(nodes) % 2:
        nodes = [*nodes, z]
    return [hash_pair(nodes[i], nodes[i + 1]) for i in range(0, len(nodes), 2)]


def root_from_level(nodes: Sequence[bytes], level: int) -> bytes:
    """Root over `nodes` taken as the nodes of `level` (0: leaves)."""
    if not nodes:
        return ZERO
    current, z = list(nodes), empty_subtree(level)
    while len(current) > 1:
        current, z = _reduce(current, z), hash_pair(z, z)
    return current[0]


def book_root(leaves: Sequence[bytes]) -> bytes:
    """The root the order oracle commits (zero for an empty book)."""
    return root_from_level(leaves, 0)


def subtree_root(leaves: Sequence[bytes], height: int) -> bytes:
    """Root of the height-`height` subtree whose first leaves are `leaves`."""
    if not 1 <= len(leaves) <= 2**height:
        raise ValueError(f"{len(leaves)} leaves do not fit a subtree of height {height}")
    current, z = list(leaves), ZERO
    for _ in range(height):
        current, z = _reduce(current, z), hash_pair(z, z)
    return current[0]


def proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """Sibling hashes from leaf `index` up to the root: lets a prosumer check that the
    committed book holds its order."""
    if not 0 <= index < len(leaves):
        raise IndexError(index)
    path: list[bytes] = []
    current, z = list(leaves), ZERO
    while len(current) > 1:
        if len(current) % 2:
            current = [*current, z]
        path.append(current[index ^ 1])
        current, z, index = _reduce(current, z), hash_pair(z, z), index // 2
    return path


def verify(leaf: bytes, index: int, path: Sequence[bytes], root: bytes) -> bool:
    node = leaf
    for sibling in path:
        node = hash_pair(node, sibling) if index % 2 == 0 else hash_pair(sibling, node)
        index //= 2
    return node == root
