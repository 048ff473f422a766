"""The public pages: a citizen reports (``/lapor``) and follows the report with its tracking
code (``/lacak``), without an account. They file through intake's public routes with the
public key, never with a person's session."""
