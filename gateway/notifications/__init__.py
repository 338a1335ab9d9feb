"""Notifications: the contacts members activate, their consent to texts, and what they
choose to be told."""
