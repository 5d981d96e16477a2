"""Sign-in with an Ethereum key: server nonces, EIP-4361 messages, short-lived tokens."""
