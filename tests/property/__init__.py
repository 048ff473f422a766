"""Property-based tests of the idempotent-handler contracts."""
