"""The demo's GraphiQL tabs run as they are: the sign-in's token opens the dashboard."""

from __future__ import annotations

from pathlib import Path

from gateway.core.backends import Adapters
from gateway.demo_tabs import DASHBOARD, demo_tabs
from tests.gateway.conftest import Members
from tests.gateway.served import served, served_settings

README = Path(__file__).resolve().parents[2] / "README.md"


async def test_the_sign_in_tab_then_the_dashboard_tab(
    adapters: Adapters, gateway_database_path: Path, members: Members
) -> None:
    sign_in, dashboard = demo_tabs(email=members.demo.email, password=members.demo.password)
    async with served(served_settings(gateway_database_path), adapters) as app:
        signed_in = await app.graphql(sign_in.query)
        login = signed_in["data"]["login"]
        assert login["__typename"] == "LoginSuccess"

        answer = await app.graphql(dashboard.query, token=login["accessToken"])

    assert "errors" not in answer
    viewer = answer["data"]["viewer"]
    assert viewer["email"] == members.demo.email
    assert [a["number"] for a in viewer["accounts"]] == list(members.demo.account_numbers)
    assert all(a["bills"]["edges"] and a["usage"] for a in viewer["accounts"])


def test_the_sign_in_tab_quotes_what_it_is_given() -> None:
    sign_in, _ = demo_tabs(email='odd"PASSWORD"@example.com', password="pa\\ss")
    assert 'email: "odd\\"PASSWORD\\"@example.com"' in sign_in.query
    assert 'password: "pa\\\\ss"' in sign_in.query


def test_the_readme_shows_the_dashboard_tab() -> None:
    assert DASHBOARD in README.read_text()
