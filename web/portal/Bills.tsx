import { useQuery } from "urql";

import { graphql } from "../gql";
import { date, energy, money } from "../shared/format";
import { ScrollingTable } from "../shared/ScrollingTable";

const BillsQuery = graphql(`
  query PortalBills($number: String!) {
    account(number: $number) {
      ... on Account {
        number
        bills(first: 24) {
          edges {
            node {
              billDate
              dueDate
              amount
              kwh
              servicePeriod {
                start
                end
              }
            }
          }
        }
      }
      ... on AccountNotFound {
        message
      }
    }
  }
`);

export function Bills({ number }: { number: string }) {
  const [{ data, fetching, error }] = useQuery({ query: BillsQuery, variables: { number } });
  const account = data?.account;
  if (fetching && !data) {
    return <p aria-busy="true">Loading your bills…</p>;
  }
  if (error && !data) {
    return (
      <p className="problem" role="alert">
        Your bills could not be loaded. Please try again in a moment.
      </p>
    );
  }
  if (account?.__typename !== "Account") {
    return <p role="alert">{account?.message ?? "This account is not available."}</p>;
  }
  const bills = account.bills?.edges.map((edge) => edge.node) ?? [];
  return (
    <section className="card" aria-labelledby="bills-heading">
      <h1 id="bills-heading">Bills</h1>
      {bills.length === 0 ? (
        <p className="muted">No bills yet.</p>
      ) : (
        <ScrollingTable label="Bills">
          <table>
            <thead>
              <tr>
                <th scope="col">Billed</th>
                <th scope="col">Service period</th>
                <th scope="col" className="number">
                  Energy
                </th>
                <th scope="col" className="number">
                  Amount
                </th>
                <th scope="col">Due</th>
              </tr>
            </thead>
            <tbody>
              {bills.map((bill) => (
                <tr key={bill.billDate}>
                  <td>{date(bill.billDate)}</td>
                  <td>
                    {date(bill.servicePeriod.start)} – {date(bill.servicePeriod.end)}
                  </td>
                  <td className="number">{energy(bill.kwh)}</td>
                  <td className="number">{money(bill.amount)}</td>
                  <td>{date(bill.dueDate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollingTable>
      )}
    </section>
  );
}
