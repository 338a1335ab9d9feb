"""Who the viewer is (login, access tokens) and what they may see (the account policy).

Import from the submodules: `passwords` is also used by the store, so this package
keeps no imports of its own that could make a cycle.
"""
