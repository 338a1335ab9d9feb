"""The audit log of staff reads of members' accounts."""
