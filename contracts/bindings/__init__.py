"""Typed Python bindings of the contracts, generated from the committed artifacts' ABIs.

`contracts.bindings.market.Market(chain, address)` etc.; structs in
`contracts.bindings.structs`, custom errors (as `ContractRevert` subclasses) in
`contracts.bindings.errors`. Regenerate with `python -m contracts.bindings.generate`
(`tem contracts build` does it too); a test fails when they are stale.
"""
