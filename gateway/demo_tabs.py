"""The tabs GraphiQL opens with in the demo: sign in as the demo member, then the
member's dashboard, the query the README shows. A newcomer runs one, then the other."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
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


DOCUMENTS: Final = """\
# Download links for the signed-in member, each good for five minutes and for this
# sign-in only: open one in a new browser tab. The bill's PDF, the last twelve months
# of hourly use as Green Button XML (ESPI), and the same as CSV.
query Documents {
  account(number: __ACCOUNT__) {
    __typename
    ... on Account {
      bills(first: 1) { edges { node { billDate amount pdfUrl } } }
      greenButtonXml: greenButtonUrl(from: __FROM__, to: __TO__, interval: HOUR)
      greenButtonCsv: greenButtonUrl(from: __FROM__, to: __TO__, interval: HOUR, format: CSV)
    }
  }
}
"""


def last_twelve_months(today: date) -> tuple[date, date]:
    """The twelve whole calendar months before `today`'s month."""
    end = today.replace(day=1) - timedelta(days=1)
    start = date(end.year - 1, end.month + 1, 1) if end.month < 12 else date(end.year, 1, 1)
    return start, end


def demo_tabs(
    *,
    email: str,
    password: str,
    documents_account: str | None = None,
    today: date | None = None,
) -> tuple[StarterTab, ...]:
    """The sign-in tab for this login, and the dashboard tab; with `documents_account`,
    a third with that account's download links (the year before `today`)."""
    # JSON's string escapes are GraphQL's: a JSON string is a GraphQL string literal.
    literals = {"EMAIL": json.dumps(email), "PASSWORD": json.dumps(password)}
    sign_in = re.sub(r"__(EMAIL|PASSWORD)__", lambda name: literals[name[1]], SIGN_IN)
    tabs = (StarterTab(sign_in), StarterTab(DASHBOARD))
    if documents_account is None:
        return tabs
    start, end = last_twelve_months(today or date.today())
    values = {
        "ACCOUNT": json.dumps(documents_account),
        "FROM": json.dumps(start.isoformat()),
        "TO": json.dumps(end.isoformat()),
    }
    documents = re.sub(r"__(ACCOUNT|FROM|TO)__", lambda name: values[name[1]], DOCUMENTS)
    return (*tabs, StarterTab(documents))
