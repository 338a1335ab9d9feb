"""Whole GraphQL answers kept for their viewer, dropped when what they show changes."""
