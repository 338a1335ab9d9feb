import { useState } from "react";
import { useQuery } from "urql";

import { graphql } from "../gql";
import { dateTime, statusName } from "../shared/format";
import { ScrollingTable } from "../shared/ScrollingTable";

// Asked for only when staff open it: the gateway writes each read to the audit log.
const ConsentLogQuery = graphql(`
  query StaffConsentLog($number: String!) {
    account(number: $number) {
      ... on Account {
        number
        smsConsentLog {
          phone
          change
          method
          source
          actor
          wording
          recordedAt
        }
      }
      ... on AccountNotFound {
        message
      }
    }
  }
`);

function ConsentEntries({ number }: { number: string }) {
  const [{ data, fetching, error }] = useQuery({
    query: ConsentLogQuery,
    variables: { number },
    requestPolicy: "network-only",
  });
  const account = data?.account;
  if (fetching && !data) {
    return <p aria-busy="true">Loading the consent log…</p>;
  }
  if (error && !data) {
    return (
      <p className="problem" role="alert">
        {error.graphQLErrors[0]?.message ?? "The consent log could not be loaded."}
      </p>
    );
  }
  if (account?.__typename !== "Account") {
    return <p role="alert">{account?.message ?? "No such account."}</p>;
  }
  const entries = account.smsConsentLog ?? [];
  if (entries.length === 0) {
    return <p>No consent to texts was ever given or withdrawn for this account.</p>;
  }
  return (
    <ScrollingTable label="Consent entries">
      <table>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Phone</th>
            <th scope="col">Change</th>
            <th scope="col">How</th>
            <th scope="col">Who</th>
            <th scope="col">From</th>
            <th scope="col">Words</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={`${entry.recordedAt}-${entry.phone}-${entry.change}`}>
              <td>{dateTime(entry.recordedAt)}</td>
              <td>{entry.phone}</td>
              <td>{statusName(entry.change)}</td>
              <td>{statusName(entry.method)}</td>
              <td>{entry.actor}</td>
              <td>{entry.source}</td>
              <td className="wrap prose">{entry.wording}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollingTable>
  );
}

/** The account's log of consent to texts (TCPA): who agreed or withdrew, when, how,
 * and the words shown. Read on request, as each read is audited. */
export function ConsentLog({ number }: { number: string }) {
  const [shown, setShown] = useState(false);
  return (
    <section className="card" aria-labelledby="consent-heading">
      <h2 id="consent-heading">Consent to texts</h2>
      {shown ? (
        <ConsentEntries number={number} />
      ) : (
        <button type="button" onClick={() => setShown(true)}>
          Show the consent log
        </button>
      )}
    </section>
  );
}
