"""The declarative base every table of the gateway's own database is declared on.

Each domain declares its tables beside its code (`gateway/<domain>/tables.py`);
`gateway.tables` gathers them all for the migrations and for the test that compares the
two. The migrations in `migrations/` create the tables; the models only describe them
for queries, so the two must change together.
"""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
