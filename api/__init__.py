"""The FastAPI app for prosumers and grid operators, and the operators' dashboard."""
