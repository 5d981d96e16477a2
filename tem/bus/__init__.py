"""The NATS bus: subjects, versioned messages, JetStream streams, a local server."""
