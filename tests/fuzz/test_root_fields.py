"""Every root field, queries and mutations, fuzzed as a signed-in member.

hypothesis-graphql writes documents from schema.graphql, one root field at a time,
with the demo co-op's values and hostile ones in the arguments (`tests.fuzz.values`),
some of them moved into variables (`tests.fuzz.variables`). Each goes to the app as
`create_app` wires it, over fakes of the demo co-op. A case fails on any HTTP status
of 500 or more, any error with the code INTERNAL_SERVER_ERROR, an exception out of
the app, or any log record at ERROR or with a traceback.

The run is seeded (`derandomize`, no example database), so CI sees the same cases
every time. COOP_FUZZ_CASES sets how many the member sends (`make fuzz` asks for many
more); they are shared out among the root fields, and a field whose documents run out
early (`logout` has few) leaves its share to the fields after it. Then a tenth as many
again twice: documents with one argument against the schema (a required one missing,
a null, a wrong type: hypothesis-graphql's negative mode), which the limits and the
cost model read before validation refuses them; and the query fields as an admin, as
the staff-only ones refuse a member before they read their cursors and filters.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import graphql
import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis_graphql import from_schema
from hypothesis_graphql.strategies import Mode
from pydantic import SecretStr

from gateway.core.backends import Adapters
from gateway.core.errors import INTERNAL_SERVER_ERROR
from gateway.settings import GatewaySettings
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.meters.fake_from_world import fake_meters_from_world
from simulators.oms.fake_from_world import fake_oms_from_world
from simulators.world import World
from tests.fuzz.gateway import Viewer, fuzzed_gateway, member_login
from tests.fuzz.logs import ProblemRecords, problems_logged
from tests.fuzz.values import scalar_strategies
from tests.fuzz.variables import lift_arguments

SCHEMA = Path(__file__).resolve().parents[2] / "schema.graphql"
# A test-only setting: the suite's run, or `make fuzz`'s longer one.
CASES = int(os.environ.get("COOP_FUZZ_CASES", "1000"))
NEGATIVE_CASES = ADMIN_CASES = CASES // 10

# JSON that fits no argument's type, for a variable now and then.
WRONG_JSON = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(["³", "٣", "", "9" * 400, 10**30, -(2**63)]),
)


def fuzz_settings(tmp_path: Path) -> GatewaySettings:
    return GatewaySettings(
        jwt_secret=SecretStr("fuzz-test-signing-secret-" + "f" * 20),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        outbox_dir=tmp_path / "outbox",
        # One token for the whole run, however long `make fuzz` takes.
        access_token_ttl=timedelta(days=1),
        # The fuzzer must not be rate limited: a 429 would hide the cases after it.
        rate_limit_enabled=False,
    )


def problems(response: httpx.Response, logged: list[str]) -> list[str]:
    found = [f"HTTP {response.status_code}"] if response.status_code >= 500 else []
    try:
        body: Any = response.json()
    except ValueError:
        return [*found, f"not JSON: {response.text[:500]}", *logged]
    for error in body.get("errors") or []:
        if (error.get("extensions") or {}).get("code") == INTERNAL_SERVER_ERROR:
            found.append(f"INTERNAL_SERVER_ERROR at {error.get('path')}: {error}")
    return [*found, *logged]


class Fuzzer:
    def __init__(
        self, schema: graphql.GraphQLSchema, scalars: dict[str, Any], logged: ProblemRecords
    ) -> None:
        self._schema = schema
        self._scalars = scalars
        self._logged = logged

    def share_out(
        self, viewer: Viewer, fields: list[str], cases: int, *, mode: Mode = Mode.POSITIVE
    ) -> Counter[str]:
        """`cases` shared out among `fields`; how many each ran."""
        ran: Counter[str] = Counter()
        for index, field in enumerate(fields):
            share = math.ceil((cases - ran.total()) / (len(fields) - index))
            ran[field] = self.run_field(viewer, field, cases=share, mode=mode)
        return ran

    def run_field(self, viewer: Viewer, field: str, *, cases: int, mode: Mode) -> int:
        """Up to `cases` documents for one root field; how many were sent."""
        sent = 0
        mutation = self._schema.mutation_type
        may_sign_out = mutation is not None and field in mutation.fields
        documents = from_schema(
            self._schema,
            fields=[field],
            custom_scalars=self._scalars,
            print_ast=lambda document: document,
            mode=mode,
        )

        @settings(
            max_examples=cases,
            derandomize=True,
            database=None,
            deadline=None,
            phases=(Phase.explicit, Phase.generate, Phase.shrink),
            suppress_health_check=list(HealthCheck),
        )
        @given(document=documents, data=st.data())
        def case(document: graphql.DocumentNode, data: st.DataObject) -> None:
            nonlocal sent
            lifted, variables = lift_arguments(
                document,
                self._schema,
                choose=lambda: data.draw(st.booleans(), label="as a variable"),
                replace=lambda value: (
                    data.draw(WRONG_JSON, label="wrong JSON")
                    if data.draw(st.integers(0, 9), label="replace") == 0
                    else value
                ),
            )
            query = graphql.print_ast(lifted)
            response = viewer.post(query, variables)
            sent += 1
            found = problems(response, self._logged.take())
            assert not found, f"{query}\nvariables: {variables}\n" + "\n".join(found)
            # Only a mutation that executed can have ended the session.
            if may_sign_out and response.status_code == 200:
                viewer.keep_signed_in()

        try:
            case()
        except InvalidArgument:
            # Negative mode, for a field without arguments to get wrong (`logout`).
            if mode is Mode.POSITIVE or sent:
                raise
        return sent


def test_every_root_field_survives_hostile_requests(world: World, tmp_path: Path) -> None:
    schema = graphql.build_schema(SCHEMA.read_text())
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    queries, mutations = list(schema.query_type.fields), list(schema.mutation_type.fields)
    adapters = Adapters(
        cis=fake_cis_from_world(world),
        oms=fake_oms_from_world(world),
        meters=fake_meters_from_world(world),
    )
    member = member_login(world)
    scalars = scalar_strategies(
        world, signed_in_email=member.email, own_accounts=member.account_numbers
    )
    with (
        problems_logged() as logged,
        fuzzed_gateway(fuzz_settings(tmp_path), adapters, world) as viewers,
    ):
        fuzzer = Fuzzer(schema, scalars, logged)
        as_member = fuzzer.share_out(viewers.member, [*queries, *mutations], CASES)
        against_schema = fuzzer.share_out(
            viewers.member, [*queries, *mutations], NEGATIVE_CASES, mode=Mode.NEGATIVE
        )
        as_admin = fuzzer.share_out(viewers.admin, queries, ADMIN_CASES)
        leftover = logged.take()

    assert not leftover, "\n".join(leftover)
    assert as_member.total() >= CASES, as_member
    assert set(+as_member) == {*queries, *mutations}, as_member
    assert against_schema.total() >= NEGATIVE_CASES, against_schema
    assert as_admin.total() >= ADMIN_CASES, as_admin
