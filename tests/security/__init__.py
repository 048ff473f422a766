"""Security tests: access control, enumeration, the vault, injection and limits."""
