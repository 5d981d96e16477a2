// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title BookMerkle: the order book's Merkle tree, computable whole or chunk by chunk
/// @notice Leaves are the orders' EIP-712 digests in book order. A node is
///         keccak256(left ++ right), unsorted (a leaf's position matters). A level with an
///         odd number of nodes is padded with the root of an empty subtree of that height,
///         Z(0) = 0 and Z(h + 1) = keccak256(Z(h) ++ Z(h)), which makes the tree exactly the
///         tree over the leaves padded with zeros to a power of two. So a chunk of 2^k
///         consecutive leaves starting at a multiple of 2^k has a subtree root of its own,
///         and the roots of such chunks combine, from level k up, into the book's root.
///         The root of an empty book is zero; the root of one leaf is the leaf.
library BookMerkle {
    /// @notice Root of `nodes` taken as the nodes of level `level` (0: leaves). Overwrites `nodes`.
    function rootFromLevel(bytes32[] memory nodes, uint256 level) internal pure returns (bytes32) {
        uint256 n = nodes.length;
        if (n == 0) return bytes32(0);
        bytes32 z = emptySubtree(level);
        while (n > 1) {
            n = _reduce(nodes, n, z);
            z = hashPair(z, z);
        }
        return nodes[0];
    }

    /// @notice Root of the subtree of height `height` whose first leaves are `leaves`
    ///         (1 <= leaves.length <= 2^height). Overwrites `leaves`.
    function subtreeRoot(bytes32[] memory leaves, uint256 height) internal pure returns (bytes32) {
        uint256 n = leaves.length;
        bytes32 z;
        for (uint256 h; h < height; ++h) {
            n = _reduce(leaves, n, z);
            z = hashPair(z, z);
        }
        return leaves[0];
    }

    /// @notice Z(h): the root of a subtree of height `h` holding no leaves.
    function emptySubtree(uint256 height) internal pure returns (bytes32 z) {
        for (uint256 h; h < height; ++h) {
            z = hashPair(z, z);
        }
    }

    /// @notice keccak256(a ++ b), hashed in scratch space.
    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32 value) {
        assembly ("memory-safe") {
            mstore(0x00, a)
            mstore(0x20, b)
            value := keccak256(0x00, 0x40)
        }
    }

    /// @dev One level up, in place: pairs (2i, 2i + 1) become node i; an odd last node is
    ///      paired with `z`. Returns the new count. A pair is adjacent in memory, so it is
    ///      hashed where it lies; node i is written after nodes 2i and 2i + 1 were read.
    function _reduce(bytes32[] memory nodes, uint256 n, bytes32 z) private pure returns (uint256 half) {
        // 1 <= n <= nodes.length: every address below lies inside the array's data
        assembly ("memory-safe") {
            half := shr(1, add(n, 1))
            let data := add(nodes, 0x20)
            let pairsEnd := add(data, shl(6, shr(1, n)))
            let out := data
            let from := data
            // two pairs a step while two are left (half the loop's overhead), then the last
            for {} lt(add(from, 0x40), pairsEnd) { from := add(from, 0x80) } {
                mstore(out, keccak256(from, 0x40))
                mstore(add(out, 0x20), keccak256(add(from, 0x40), 0x40))
                out := add(out, 0x40)
            }
            if lt(from, pairsEnd) {
                mstore(out, keccak256(from, 0x40))
                out := add(out, 0x20)
            }
            if and(n, 1) {
                mstore(0x00, mload(pairsEnd))
                mstore(0x20, z)
                mstore(out, keccak256(0x00, 0x40))
            }
        }
    }
}
