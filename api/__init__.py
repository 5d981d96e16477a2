"""The HTTP API for prosumers and grid operators, and the grid operators' dashboard page.

`api.app.create_app` builds the FastAPI application from explicit dependencies (chain,
deployment manifest, read-model store, bus), so tests run it on an embedded chain and
`tem serve` runs it on the configured one.
"""
