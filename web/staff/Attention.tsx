import { useQuery } from "urql";

import { graphql } from "../gql";
import { dateTime, money } from "../shared/format";
import { ScrollingTable } from "../shared/ScrollingTable";

const AttentionQuery = graphql(`
  query StaffPaymentsNeedingAttention {
    paymentsNeedingAttention(first: 50) {
      edges {
        node {
          reason
          since
          payment {
            id
            accountNumber
            amount
            total
            status
            method {
              label
            }
          }
        }
      }
    }
  }
`);

export function Attention() {
  const [{ data, fetching, error }] = useQuery({ query: AttentionQuery });
  const waiting = data?.paymentsNeedingAttention.edges.map((edge) => edge.node) ?? [];
  return (
    <section className="card" aria-labelledby="attention-heading">
      <h1 id="attention-heading">Payments needing attention</h1>
      {fetching && !data && <p aria-busy="true">Loading…</p>}
      {error && (
        <p className="problem" role="alert">
          The list could not be loaded.
        </p>
      )}
      {data && waiting.length === 0 && <p>No payment needs attention.</p>}
      {waiting.length > 0 && (
        <ScrollingTable label="Payments needing attention">
          <table>
            <thead>
              <tr>
                <th scope="col">Waiting since</th>
                <th scope="col">Account</th>
                <th scope="col">Method</th>
                <th scope="col" className="number">
                  Total
                </th>
                <th scope="col">What went wrong</th>
              </tr>
            </thead>
            <tbody>
              {waiting.map((item) => (
                <tr key={item.payment.id}>
                  <td>{dateTime(item.since)}</td>
                  <td>{item.payment.accountNumber}</td>
                  <td>{item.payment.method.label}</td>
                  <td className="number">{money(item.payment.total)}</td>
                  <td>{item.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollingTable>
      )}
    </section>
  );
}
