import { useQuery } from "urql";

import { graphql } from "../gql";
import { date, energy, money, percent } from "../shared/format";

// A query of its own: the projection reads a year of days, and the rest of the
// dashboard should not wait for it.
const ProjectedBillQuery = graphql(`
  query PortalProjectedBill($number: String!) {
    account(number: $number) {
      ... on Account {
        number
        projectedBill {
          periodStart
          periodEnd
          expectedBillDate
          computedOn
          daysWithReads
          daysRemaining
          kwhSoFar
          kwh
          amount
          amountLow
          amountHigh
          confidence
        }
      }
    }
  }
`);

/** The dashboard's card with the likely bill for the period still open. */
export function ProjectedBill({ number }: { number: string }) {
  const [{ data, fetching, error }] = useQuery({
    query: ProjectedBillQuery,
    variables: { number },
  });
  const account = data?.account;
  const projected = account?.__typename === "Account" ? account.projectedBill : null;
  return (
    <section className="card" aria-labelledby="projected-heading">
      <h2 id="projected-heading">Projected bill</h2>
      {fetching && !data && <p aria-busy="true">Working out your next bill…</p>}
      {error && !data && (
        <p className="muted">The projection is not available right now.</p>
      )}
      {data && !projected && <p className="muted">No projection for this account yet.</p>}
      {projected && (
        <>
          <p className="figure">{money(projected.amount)}</p>
          <p>
            Likely between {money(projected.amountLow)} and {money(projected.amountHigh)} (
            {percent(projected.confidence)} confidence), for about {energy(projected.kwh)}.
          </p>
          <p className="muted">
            {energy(projected.kwhSoFar)} used in {projected.daysWithReads} days since{" "}
            {date(projected.periodStart)}; {projected.daysRemaining} days to go until the bill
            of {date(projected.expectedBillDate)}. Computed {date(projected.computedOn)}.
          </p>
        </>
      )}
    </section>
  );
}
