"""The rules for values that cross the co-op's systems: each has its one home here.

An email address, a phone number, a ZIP code and an amount of money are checked and
written the same way by the gateway, the adapters and the stand-ins, so that what a
member may save is what the CIS takes and what the mail adapter can send to. These
modules import nothing of the gateway's: the adapters need them too.
"""
