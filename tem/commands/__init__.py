"""Sub-commands of `tem`, one module per area."""
