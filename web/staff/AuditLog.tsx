import { useQuery } from "urql";

import { graphql } from "../gql";
import { dateTime } from "../shared/format";
import { ScrollingTable } from "../shared/ScrollingTable";

const AuditQuery = graphql(`
  query StaffAuditLog {
    auditEntries(first: 50) {
      edges {
        node {
          id
          occurredAt
          actorEmail
          actorRole
          accountNumber
          fields
          operationName
        }
      }
    }
  }
`);

export function AuditLog() {
  const [{ data, fetching, error }] = useQuery({
    query: AuditQuery,
    requestPolicy: "network-only",
  });
  const entries = data?.auditEntries.edges.map((edge) => edge.node) ?? [];
  return (
    <section className="card" aria-labelledby="audit-heading">
      <h1 id="audit-heading">Audit log</h1>
      <p className="muted">Who read which account, newest first.</p>
      {fetching && !data && <p aria-busy="true">Loading…</p>}
      {error && (
        <p className="problem" role="alert">
          The audit log could not be loaded.
        </p>
      )}
      {data && entries.length === 0 && <p>No entries yet.</p>}
      {entries.length > 0 && (
        <ScrollingTable label="Audit entries">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Account</th>
                <th scope="col">What</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td>{dateTime(entry.occurredAt)}</td>
                  <td>
                    {entry.actorEmail} ({entry.actorRole.toLowerCase()})
                  </td>
                  <td>{entry.accountNumber}</td>
                  <td>{entry.fields.join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollingTable>
      )}
    </section>
  );
}
