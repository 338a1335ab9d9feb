import { useId, useState } from "react";
import { useQuery } from "urql";

import { graphql } from "../gql";
import { date } from "../shared/format";
import { BillChangeParts } from "./BillChange";
import { PeriodComparison } from "./PeriodComparison";

const MonthComparisonQuery = graphql(`
  query PortalMonthComparison($number: String!, $month: String, $compareTo: String) {
    account(number: $number) {
      ... on Account {
        number
        bills(first: 13) {
          edges {
            node {
              billDate
            }
          }
        }
        usageComparison(month: $month, compareTo: $compareTo) {
          current {
            billDate
            days
            kwh
            cost
            averageTemperatureF
            heatingDegreeDays
            coolingDegreeDays
          }
          compareTo {
            billDate
            days
            kwh
            cost
            averageTemperatureF
            heatingDegreeDays
            coolingDegreeDays
          }
          change {
            kwh
            kwhPercent
            cost
          }
        }
        billChange(month: $month, compareTo: $compareTo) {
          amount
          rates
          days
          weather
          remainder
          kwh
          daysKwh
          weatherKwh
          remainderKwh
        }
      }
    }
  }
`);

/** The month a bill is named by in the API: "2026-10". */
const monthOf = (billDate: string) => billDate.slice(0, 7);

/** Month to month: two bills' periods with their weather, and why the bill changed. */
export function MonthComparison({ number }: { number: string }) {
  const [months, setMonths] = useState<{ month: string | null; compareTo: string | null }>({
    month: null,
    compareTo: null,
  });
  const [{ data, fetching, error }] = useQuery({
    query: MonthComparisonQuery,
    variables: { number, ...months },
  });
  const monthId = useId();
  const compareId = useId();
  const account = data?.account?.__typename === "Account" ? data.account : null;
  const billDates = account?.bills?.edges.map((edge) => edge.node.billDate) ?? [];
  const comparison = account?.usageComparison;
  const change = account?.billChange;
  const shown = {
    month: months.month ?? (comparison ? monthOf(comparison.current.billDate) : ""),
    compareTo: months.compareTo ?? (comparison ? monthOf(comparison.compareTo.billDate) : ""),
  };

  return (
    <section className="card" aria-labelledby="months-heading">
      <h2 id="months-heading">Month to month</h2>
      {billDates.length > 1 && (
        <div className="toolbar">
          <div className="field">
            <label htmlFor={monthId}>Bill</label>
            <select
              id={monthId}
              value={shown.month}
              onChange={(event) => setMonths({ ...shown, month: event.target.value })}
            >
              {billDates.map((billDate) => (
                <option key={billDate} value={monthOf(billDate)}>
                  {date(billDate)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={compareId}>Compared with</label>
            <select
              id={compareId}
              value={shown.compareTo}
              onChange={(event) => setMonths({ ...shown, compareTo: event.target.value })}
            >
              {billDates.map((billDate) => (
                <option key={billDate} value={monthOf(billDate)}>
                  {date(billDate)}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
      {fetching && <p aria-busy="true">Comparing…</p>}
      {error && !fetching && (
        <p className="problem" role="alert">
          {error.graphQLErrors[0]?.message ?? "The comparison could not be loaded just now."}
        </p>
      )}
      {!fetching && data && !comparison && !error && (
        <p className="muted">Not enough bills to compare yet.</p>
      )}
      {comparison && !fetching && (
        <PeriodComparison label="The two bills compared" comparison={comparison} />
      )}
      {change && !fetching && (
        <>
          <h3>Why the bill changed</h3>
          <BillChangeParts change={change} />
        </>
      )}
    </section>
  );
}
