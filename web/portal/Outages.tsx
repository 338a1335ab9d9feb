import { type FormEvent, useId, useState } from "react";
import { useMutation, useQuery } from "urql";

import { graphql } from "../gql";
import { type Rejection, rejectionOf } from "../shared/answers";
import { dateTime } from "../shared/format";
import { Done, Problem } from "../shared/Notice";
import { outageNews } from "./outageNews";

const OutagesQuery = graphql(`
  query PortalOutages($number: String!) {
    account(number: $number) {
      ... on Account {
        number
        customer {
          mobilePhone
          homePhone
        }
        serviceLocations {
          id
          address {
            line1
            city
          }
        }
        outageStatus {
          serviceLocationId
          isOut
          event {
            id
            phase
            cause
            crew
            customersAffected
            startedAt
            estimatedRestoration
          }
        }
      }
      ... on AccountNotFound {
        message
      }
    }
  }
`);

const ReportOutageMutation = graphql(`
  mutation PortalReportOutage($input: ReportOutageInput!) {
    reportOutage(input: $input) {
      ... on ReportOutageSuccess {
        eventId
        joinedExistingEvent
      }
      ... on AccountNotFound {
        message
      }
      ... on ValidationError {
        field
        message
      }
    }
  }
`);

/** The power at each of the account's service locations, and a report when it is off. */
export default function Outages({ number }: { number: string }) {
  const [{ data, fetching, error }, reload] = useQuery({
    query: OutagesQuery,
    variables: { number },
    requestPolicy: "cache-and-network",
  });
  const [{ fetching: reporting }, report] = useMutation(ReportOutageMutation);
  const [problem, setProblem] = useState<Rejection | null>(null);
  const [reported, setReported] = useState<string | null>(null);
  const locationId = useId();
  const account = data?.account;
  if (fetching && !data) {
    return <p aria-busy="true">Loading outage status…</p>;
  }
  if (account?.__typename !== "Account") {
    return (
      <Problem>
        {account?.message ??
          (error ? "Outage status could not be loaded. Please try again in a moment." : "")}
      </Problem>
    );
  }
  const locations = account.serviceLocations ?? [];
  const statuses = new Map(
    (account.outageStatus ?? []).map((status) => [status.serviceLocationId, status]),
  );

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const answer = await report({
      input: {
        accountNumber: account.number,
        serviceLocationId: String(form.get("location") ?? ""),
        contactPhone: String(form.get("phone") ?? ""),
        comment: String(form.get("comment") ?? ""),
      },
    });
    const result = answer.data?.reportOutage;
    if (result?.__typename === "ReportOutageSuccess") {
      setProblem(null);
      setReported(
        result.joinedExistingEvent
          ? `Thank you: the co-op already knows of this outage (${result.eventId}),` +
              " and your report is added to it."
          : `Thank you: your report is in (outage ${result.eventId}).`,
      );
      reload({ requestPolicy: "network-only" });
    } else {
      setReported(null);
      setProblem(rejectionOf(result));
    }
  };

  return (
    <>
      <section className="card" aria-labelledby="outage-status-heading">
        <h1 id="outage-status-heading">Outages</h1>
        {locations.length === 0 && <p className="muted">No service locations on this account.</p>}
        <ul className="list">
          {locations.map((location) => {
            const status = statuses.get(location.id);
            const event = status?.event;
            return (
              <li key={location.id} className={`banner ${status?.isOut ? "alert" : "ok"}`}>
                <strong>
                  {location.address.line1}, {location.address.city}:{" "}
                  {status === undefined
                    ? "status not available right now"
                    : status.isOut
                      ? "power is out"
                      : "power is on"}
                </strong>
                {status?.isOut && event && (
                  <p>
                    {outageNews(event)} Out since {dateTime(event.startedAt)};{" "}
                    {event.customersAffected} members affected.
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      </section>
      <section className="card" aria-labelledby="report-heading">
        <h2 id="report-heading">Report an outage</h2>
        {reported !== null && <Done>{reported}</Done>}
        <form className="pay-form" onSubmit={(event) => void submit(event)}>
          <div className="field">
            <label htmlFor={locationId}>Where is the power out?</label>
            <select id={locationId} name="location">
              {locations.map((location) => (
                <option key={location.id} value={location.id}>
                  {location.address.line1}, {location.address.city}
                </option>
              ))}
            </select>
          </div>
          <label>
            Phone number to reach you (optional)
            <input
              name="phone"
              type="tel"
              autoComplete="tel"
              defaultValue={account.customer?.mobilePhone ?? account.customer?.homePhone ?? ""}
              aria-invalid={problem?.field === "contactPhone" || undefined}
            />
          </label>
          <label>
            What you see (optional)
            <textarea
              name="comment"
              rows={3}
              maxLength={500}
              aria-invalid={problem?.field === "comment" || undefined}
            />
          </label>
          {problem !== null && <Problem>{problem.message}</Problem>}
          <button type="submit" className="primary" disabled={reporting || locations.length === 0}>
            Report outage
          </button>
        </form>
      </section>
    </>
  );
}
