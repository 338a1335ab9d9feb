"""Signing in, and who the viewer is."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from gateway.auth.login import login
from gateway.context import GatewayInfo
from gateway.schema.accounts import Account, open_accounts
from gateway.schema.fields import described_field, described_mutation
from gateway.schema.scalars import local


@strawberry.enum
class Role(Enum):
    MEMBER = "member"
    STAFF = "staff"
    ADMIN = "admin"


@strawberry.type
class Viewer:
    email: str
    role: Role
    user_id: strawberry.Private[int]

    @described_field("The accounts linked to this login.")
    async def accounts(self, info: GatewayInfo) -> list[Account]:
        numbers = await info.context.access.linked_accounts()
        return await open_accounts(info.context, numbers)


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.type
class LoginSuccess:
    access_token: str
    token_type: str
    expires_at: datetime


@strawberry.type(description="Wrong email or password; which one is not said.")
class LoginFailed:
    message: str


LoginResult = Annotated[LoginSuccess | LoginFailed, strawberry.union("LoginResult")]


@strawberry.type
class AuthQueries:
    @described_field("The signed-in user; null when not signed in.")
    async def viewer(self, info: GatewayInfo) -> Viewer | None:
        user = await info.context.access.user()
        if user is None:
            return None
        return Viewer(email=user.email, role=Role(user.role.value), user_id=user.id)


@strawberry.type
class AuthMutations:
    @described_mutation("Sign in; send the token as `Authorization: Bearer <token>`.")
    async def login(self, info: GatewayInfo, input: LoginInput) -> LoginResult:
        context = info.context
        token = await login(
            store=context.store, tokens=context.tokens, email=input.email, password=input.password
        )
        if token is None:
            return LoginFailed(message="The email or password is not right.")
        return LoginSuccess(
            access_token=token.token,
            token_type="Bearer",  # noqa: S106 - the OAuth token type, not a secret
            expires_at=local(token.expires_at, context.zone),
        )
