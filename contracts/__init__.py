"""The contracts room: Solidity sources, their committed artifacts, and their Python face.

This package imports nothing else of the project: the oracles, the API and the runtime
(`tem`) build on it. Nothing here does I/O at import time.
"""
