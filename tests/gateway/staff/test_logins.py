"""`coop-gateway create-staff`: staff and admin logins, the policy, and what it refuses."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.core.store.open import open_store
from gateway.identity.passwords import verify_password
from gateway.identity.tables import Role
from gateway.identity.users import find_user_by_email, upsert_member
from gateway.staff.logins import StaffLoginRefused, create_staff, ensure_demo_staff

GOOD = "lamp-orchard-vivid-47"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'new' / 'gateway.db'}"
    create: Callable[[], str] = request.getfixturevalue("postgres_database_url")
    return create()


async def test_creates_a_staff_login_in_a_new_database_then_refuses_a_second(
    database_url: str,
) -> None:
    login = await create_staff(
        database_url, email=" Ana@Coop.example ", password=GOOD, role=Role.STAFF
    )

    assert (login.email, login.role, login.created) == ("ana@coop.example", Role.STAFF, True)
    with pytest.raises(StaffLoginRefused, match="--reset"):
        await create_staff(database_url, email="ana@coop.example", password=GOOD, role=Role.ADMIN)
    store = open_store(database_url)
    try:
        user = await find_user_by_email(store, "ana@coop.example")
        assert user is not None
        assert user.role is Role.STAFF
        assert user.email_confirmed
    finally:
        await store.aclose()


async def test_reset_sets_the_new_password_and_role(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await create_staff(url, email="ana@coop.example", password=GOOD, role=Role.STAFF)

    again = await create_staff(
        url, email="ana@coop.example", password=GOOD + "x", role=Role.ADMIN, reset=True
    )

    store = open_store(url)
    try:
        user = await find_user_by_email(store, "ana@coop.example")
        assert user is not None
        assert (again.created, user.role) == (False, Role.ADMIN)
        assert await verify_password(user.password_hash, GOOD + "x")
    finally:
        await store.aclose()


async def test_a_members_login_is_never_made_staff(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await create_staff(url, email="first@coop.example", password=GOOD, role=Role.STAFF)
    await upsert_member(url, email="member@example.com", password=GOOD, account_numbers=["1"])

    with pytest.raises(StaffLoginRefused, match="member's login"):
        await create_staff(
            url, email="member@example.com", password=GOOD, role=Role.ADMIN, reset=True
        )

    store = open_store(url)
    try:
        member = await find_user_by_email(store, "member@example.com")
        assert member is not None
        assert member.role is Role.MEMBER
    finally:
        await store.aclose()


@pytest.mark.parametrize(
    ("password", "role", "message"),
    [
        ("short-pass", Role.STAFF, "at least 12"),
        ("password1234", Role.STAFF, "common"),
        (GOOD, Role.MEMBER, "staff or admin"),
    ],
)
async def test_weak_passwords_and_member_roles_are_refused_before_anything_is_written(
    password: str, role: Role, message: str, tmp_path: Path
) -> None:
    with pytest.raises(StaffLoginRefused, match=message):
        await create_staff(
            f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
            email="ana@coop.example",
            password=password,
            role=role,
        )
    assert not (tmp_path / "gateway.db").exists()


def test_the_command_reads_the_password_from_stdin_and_the_database_from_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COOP_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    # The command needs the database only, not the API's token signing key.
    monkeypatch.delenv("COOP_JWT_SECRET", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD + "\n"))

    created = main(
        ["create-staff", "--email", "ops@coop.example", "--role", "admin", "--password-stdin"]
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    refused = main(["create-staff", "--email", "x@coop.example", "--password-stdin"])

    output = capsys.readouterr()
    assert (created, refused) == (0, 1)
    assert "admin login ops@coop.example created" in output.out
    assert "at least 12" in output.err
    assert GOOD not in output.out + output.err


def test_without_a_terminal_the_command_asks_for_password_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COOP_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD + "\n"))

    assert main(["create-staff", "--email", "ops@coop.example"]) == 2
    assert "--password-stdin" in capsys.readouterr().err
    assert not (tmp_path / "gateway.db").exists()


async def test_the_demo_staff_logins_are_created_once_and_then_left_alone(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await create_staff(url, email="admin@example.com", password=GOOD, role=Role.ADMIN)

    await ensure_demo_staff(
        url,
        {
            "staff@example.com": ("staff-demo-pass", Role.STAFF),
            "admin@example.com": ("admin-demo-pass", Role.ADMIN),
        },
    )

    store = open_store(url)
    try:
        staff = await find_user_by_email(store, "staff@example.com")
        admin = await find_user_by_email(store, "admin@example.com")
        assert staff is not None
        assert admin is not None
        assert staff.role is Role.STAFF
        assert await verify_password(staff.password_hash, "staff-demo-pass")
        assert await verify_password(admin.password_hash, GOOD)  # not overwritten
    finally:
        await store.aclose()


def test_the_command_takes_a_password_with_superscripts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # "²".isdigit() is True and int("²") fails: the policy made this a traceback.
    monkeypatch.setenv("COOP_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    monkeypatch.delenv("COOP_JWT_SECRET", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("lamp orchard ²³ vivid\n"))

    created = main(["create-staff", "--email", "ops@coop.example", "--password-stdin"])

    assert created == 0
    assert "ops@coop.example created" in capsys.readouterr().out
