"""Transports to a node, split by URL scheme: http(s) and a synchronous ws(s) provider.

web3.py's own WebSocketProvider is asynchronous only; the deploy script and the oracles'
transaction path are synchronous, so ws(s) URLs go through this small provider, built on
the `websockets` package's synchronous client.
"""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from web3 import HTTPProvider
from web3.providers.base import JSONBaseProvider
from web3.types import RPCEndpoint, RPCResponse
from websockets.sync.client import ClientConnection, connect


class SyncWebSocketProvider(JSONBaseProvider):
    """JSON-RPC over one websocket connection, opened on first use; thread-safe."""

    def __init__(self, url: str, *, timeout_s: float = 10.0) -> None:
        super().__init__()
        self.url = url
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._connection: ClientConnection | None = None
        self._ids = itertools.count(1)

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        request_id = next(self._ids)
        payload = json.dumps(
            {"jsonrpc": "2.0", "method": method, "params": params, "id": request_id}
        )
        with self._lock:
            if self._connection is None:
                self._connection = connect(self.url, open_timeout=self.timeout_s, max_size=None)
            try:
                self._connection.send(payload)
                while True:  # skip subscription notifications: they carry no id
                    response = json.loads(self._connection.recv(timeout=self.timeout_s))
                    if response.get("id") == request_id:
                        return response  # type: ignore[no-any-return]
            except Exception:
                self._connection.close()
                self._connection = None
                raise

    def is_connected(self, show_traceback: bool = False) -> bool:
        try:
            return "result" in self.make_request(RPCEndpoint("eth_chainId"), [])
        except Exception:
            if show_traceback:
                raise
            return False


def provider_for(url: str, *, timeout_s: float = 10.0) -> JSONBaseProvider:
    scheme = urlsplit(url).scheme
    if scheme in ("http", "https"):
        return HTTPProvider(url, request_kwargs={"timeout": timeout_s})
    if scheme in ("ws", "wss"):
        return SyncWebSocketProvider(url, timeout_s=timeout_s)
    raise ValueError(f"unsupported node URL scheme {scheme!r}: use http(s):// or ws(s)://")


def redact_url(url: str) -> str:
    """The URL without credentials, path tokens or query: node URLs often embed API keys."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    path = "/…" if parts.path.strip("/") else ""
    return urlunsplit((parts.scheme, host, path, "", ""))
