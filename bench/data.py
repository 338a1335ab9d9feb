"""The bench co-op: seeded once into a data directory, reused while it is current.

The gateway gets its own database for each run, copied from the seeded one (which
holds the demo logins), brought to the newest migration, with a staff user added.
"""

from __future__ import annotations

import json
import secrets
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from gateway.demo import DemoData
from gateway.identity.tables import Role
from gateway.identity.users import account_numbers, find_user_by_email, upsert_member
from simulators.seed import DEMO_EMAIL, DEMO_PASSWORD, NEIGHBOR_EMAIL, NEIGHBOR_PASSWORD

STAFF_EMAIL = "bench-staff@example.com"


@dataclass(frozen=True, slots=True)
class Users:
    member_email: str
    member_password: str
    member_accounts: tuple[str, ...]
    staff_email: str
    staff_password: str
    # A second member, the other client while the first one attacks the gateway.
    other_member_email: str = NEIGHBOR_EMAIL
    other_member_password: str = NEIGHBOR_PASSWORD


@dataclass(frozen=True, slots=True)
class BenchData:
    directory: Path
    accounts: int
    generator_seed: int = 1

    @property
    def demo(self) -> DemoData:
        return DemoData(
            directory=self.directory, accounts=self.accounts, generator_seed=self.generator_seed
        )

    async def ensure_seeded(self) -> date:
        """Seed for today unless already done; the co-op's `as_of` day."""
        # The stand-ins check the same marker when they start, and find it current.
        await self.demo.ensure_seeded(as_of=date.today())
        marker = json.loads((self.directory / "seed.json").read_text())
        return date.fromisoformat(marker["as_of"])

    def account_numbers(self) -> list[str]:
        """Every account in the CIS stand-in's database, in number order."""
        uri = f"{(self.directory / 'cis.db').resolve().as_uri()}?mode=ro"
        with sqlite3.connect(uri, uri=True) as connection:
            rows = connection.execute("SELECT account_number FROM accounts ORDER BY account_number")
            return [number for (number,) in rows]

    async def gateway_database(self, target: Path) -> Users:
        """A gateway database at `target` with the demo member and a staff user."""
        shutil.copyfile(self.directory / "gateway.db", target)
        url = sqlite_url(target)
        await migrate(url)
        staff_password = secrets.token_urlsafe(18)
        await upsert_member(
            url, email=STAFF_EMAIL, password=staff_password, account_numbers=[], role=Role.STAFF
        )
        store = open_store(url)
        try:
            member = await find_user_by_email(store, DEMO_EMAIL)
            if member is None:
                raise RuntimeError(f"the seeded gateway database has no {DEMO_EMAIL}")
            if await find_user_by_email(store, NEIGHBOR_EMAIL) is None:
                raise RuntimeError(f"the seeded gateway database has no {NEIGHBOR_EMAIL}")
            accounts = tuple(sorted(await account_numbers(store, member.id)))
        finally:
            await store.aclose()
        return Users(
            member_email=DEMO_EMAIL,
            member_password=DEMO_PASSWORD,
            member_accounts=accounts,
            staff_email=STAFF_EMAIL,
            staff_password=staff_password,
        )


# The stand-ins' databases in a data directory (beside its seed.json marker).
STAND_IN_DATABASES = ("cis.db", "meters.db", "oms.db")


def copy_with_own(data_dir: Path, target: Path, database: str) -> Path:
    """A data directory at `target` whose `database` is a copy, to be written to; the
    other databases are the seeded ones, shared and only read."""
    target.mkdir(parents=True)
    shutil.copyfile(data_dir / database, target / database)
    shutil.copyfile(data_dir / "seed.json", target / "seed.json")
    for name in STAND_IN_DATABASES:
        if name != database and (data_dir / name).exists():
            (target / name).symlink_to((data_dir / name).resolve())
    return target


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path.resolve()}"


def evenly_spaced(items: list[str], count: int) -> list[str]:
    """`count` items spread over the whole list (all of them if there are fewer)."""
    if count >= len(items):
        return list(items)
    step = len(items) / count
    return [items[int(index * step)] for index in range(count)]
