"""Autopay: an account's bill drafted with a saved method on a day the member chose."""
