"""The SMS provider stand-in: a Messages API, an outbox to read, signed callbacks."""
