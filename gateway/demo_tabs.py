"""The tabs GraphiQL opens with in the demo: sign in as the demo member, then the
member's dashboard, the query the README shows. A newcomer runs one, then the other."""

from __future__ import annotations

import json
import re
from typing import Final

from gateway.api.graphiql import StarterTab

# The sign-in's arguments are written into the document, not given as variables, as in
# the README: GraphiQL 4 fills the variables editor only from a tab opened later.
SIGN_IN: Final = """\
# Run this first (the ▶ button, or Ctrl+Enter): it signs in as the demo member.
# GraphiQL keeps the access token in this page's memory and sends it as
# `Authorization: Bearer ...` with every request after it. Then open Dashboard.
mutation SignIn {
  login(input: {email: __EMAIL__, password: __PASSWORD__}) {
    __typename
    ... on LoginSuccess { accessToken expiresAt }
    ... on LoginFailed { message }
    ... on LoginThrottled { message }
  }
}
"""

DASHBOARD: Final = """\
query Dashboard {
  viewer {
    email
    accounts {
      number
      balance { amountDue dueDate isPastDue }
      bills(first: 3) { edges { node { billDate amount kwh dueDate } } }
      usageComparison {
        current { billDate kwh cost averageTemperatureF }
        compareTo { billDate kwh cost }
        change { kwh kwhPercent cost }
      }
      usage(from: "2025-11-01", to: "2025-11-30", interval: DAY) {
        startsAt kwh temperatureF estimated
      }
      outageStatus { serviceLocationId isOut event { phase cause estimatedRestoration } }
    }
  }
}
"""


def demo_tabs(*, email: str, password: str) -> tuple[StarterTab, ...]:
    """The sign-in tab for this login, and the dashboard tab."""
    # JSON's string escapes are GraphQL's: a JSON string is a GraphQL string literal.
    literals = {"EMAIL": json.dumps(email), "PASSWORD": json.dumps(password)}
    sign_in = re.sub(r"__(EMAIL|PASSWORD)__", lambda name: literals[name[1]], SIGN_IN)
    return (StarterTab(sign_in), StarterTab(DASHBOARD))
