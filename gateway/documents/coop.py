"""The co-op as its documents name it, and how a document shows an account number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

VISIBLE_CHARACTERS: Final = 4
MASK: Final = "•"


@dataclass(frozen=True, slots=True)
class CoopIdentity:
    name: str
    address: tuple[str, ...]  # lines, as printed on an envelope
    phone: str
    mask_account: bool = False

    def shown_account(self, account_number: str) -> str:
        """The account number as a document shows it outside its remittance stub."""
        if not self.mask_account or len(account_number) <= VISIBLE_CHARACTERS:
            return account_number
        hidden = len(account_number) - VISIBLE_CHARACTERS
        return MASK * hidden + account_number[hidden:]
