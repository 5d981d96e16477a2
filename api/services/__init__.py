"""Service functions: keyword-only arguments, no HTTP in sight; routes call them."""
