"""A faithful stand-in for a remote Proof-of-Authority JSON-RPC node (Besu QBFT).

No PoA client installs on these machines, so this serves what a Besu QBFT validator
answers for the calls the connection layer makes: a chain id, legacy gas (a free-gas
network has no base fee) and blocks whose extraData is the RLP QBFT structure
[vanity(32), validators, vote, round, seals], far longer than Ethereum's 32 bytes.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tem.poa import header_extra_data


def qbft_extra_data(validators: list[bytes], round_number: int = 0, seals: int = 3) -> bytes:
    """A sealed QBFT header's extraData, with `seals` made-up 65-byte seals."""
    return header_extra_data(validators, round_number, [bytes([i + 1]) * 65 for i in range(seals)])


class PoANode:
    def __init__(self, *, chain_id: int, validators: list[bytes], base_fee: int | None = None):
        self.chain_id = chain_id
        self.extra_data = qbft_extra_data(validators)
        self.base_fee = base_fee
        self.block_number = 41
        self.requests: list[str] = []
        node = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                node.requests.append(body["method"])
                reply = {
                    "jsonrpc": "2.0",
                    "id": body["id"],
                    **node.answer(body["method"], body["params"]),
                }
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def block(self) -> dict[str, Any]:
        block: dict[str, Any] = {
            "number": hex(self.block_number),
            "hash": "0x" + "ab" * 32,
            "parentHash": "0x" + "cd" * 32,
            "nonce": "0x0000000000000000",
            "sha3Uncles": "0x" + "00" * 32,
            "logsBloom": "0x" + "00" * 256,
            "transactionsRoot": "0x" + "00" * 32,
            "stateRoot": "0x" + "00" * 32,
            "receiptsRoot": "0x" + "00" * 32,
            "miner": "0x" + "11" * 20,
            "difficulty": "0x1",
            "totalDifficulty": hex(self.block_number),
            "extraData": "0x" + self.extra_data.hex(),
            "size": "0x200",
            "gasLimit": hex(30_000_000),
            "gasUsed": "0x0",
            "timestamp": hex(1_763_000_000),
            "transactions": [],
            "uncles": [],
            "mixHash": "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365",
        }
        if self.base_fee is not None:
            block["baseFeePerGas"] = hex(self.base_fee)
        return block

    def answer(self, method: str, params: list[Any]) -> dict[str, Any]:
        if method == "eth_chainId":
            return {"result": hex(self.chain_id)}
        if method == "eth_blockNumber":
            return {"result": hex(self.block_number)}
        if method == "eth_getBlockByNumber":
            return {"result": self.block()}
        if method == "eth_gasPrice":
            return {"result": "0x0"}
        return {"error": {"code": -32601, "message": f"method {method} not served by the stand-in"}}

    def __enter__(self) -> PoANode:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
