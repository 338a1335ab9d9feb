import { type FormEvent, useState } from "react";
import { useClient } from "urql";

import { graphql } from "../gql";
import { startDownload } from "../shared/download";
import { isoDay } from "../shared/format";

const GreenButtonQuery = graphql(`
  query PortalGreenButton(
    $number: String!
    $from: Date!
    $to: Date!
    $interval: GreenButtonInterval!
    $format: GreenButtonFormat!
  ) {
    account(number: $number) {
      ... on Account {
        number
        greenButtonUrl(from: $from, to: $to, interval: $interval, format: $format)
      }
      ... on AccountNotFound {
        message
      }
    }
  }
`);

function daysAgo(days: number): string {
  const day = new Date();
  day.setDate(day.getDate() - days);
  return isoDay(day);
}

/** Green Button "Download My Data": the account's reads as an ESPI feed or CSV. The
 * link is asked for when the member downloads, as it works for five minutes only. */
export function GreenButton({ number }: { number: string }) {
  const client = useClient();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const download = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setProblem(null);
    setBusy(true);
    const answer = await client
      .query(
        GreenButtonQuery,
        {
          number,
          from: String(form.get("from")),
          to: String(form.get("to")),
          interval: form.get("interval") === "HOUR" ? "HOUR" : "DAY",
          format: form.get("format") === "CSV" ? "CSV" : "XML",
        },
        { requestPolicy: "network-only" },
      )
      .toPromise();
    setBusy(false);
    const account = answer.data?.account;
    if (account?.__typename === "Account" && account.greenButtonUrl) {
      startDownload(account.greenButtonUrl);
    } else if (account?.__typename === "AccountNotFound") {
      setProblem(account.message);
    } else {
      setProblem(
        answer.error?.graphQLErrors[0]?.message ??
          "The download is not available right now. Please try again in a moment.",
      );
    }
  };

  return (
    <section className="card" aria-labelledby="green-button-heading">
      <h2 id="green-button-heading">Download my data (Green Button)</h2>
      <p>
        Your meter reads in the Green Button format other apps read: an ESPI XML feed, or a
        spreadsheet (CSV). Up to a year of hours, or three years of days.
      </p>
      <form className="pay-form" onSubmit={(event) => void download(event)}>
        <div className="fields">
          <label>
            From
            <input name="from" type="date" defaultValue={daysAgo(30)} required />
          </label>
          <label>
            To
            <input name="to" type="date" defaultValue={daysAgo(1)} required />
          </label>
          <label>
            Readings
            <select name="interval" defaultValue="DAY">
              <option value="DAY">Daily</option>
              <option value="HOUR">Hourly</option>
            </select>
          </label>
        </div>
        <fieldset className="methods">
          <legend>Format</legend>
          <label className="choice">
            <input type="radio" name="format" value="XML" defaultChecked />
            Green Button XML
          </label>
          <label className="choice">
            <input type="radio" name="format" value="CSV" />
            Spreadsheet (CSV)
          </label>
        </fieldset>
        {problem && (
          <p className="problem" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Preparing…" : "Download"}
        </button>
      </form>
    </section>
  );
}
