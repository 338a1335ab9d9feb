import { useId, useState } from "react";
import { useQuery } from "urql";

import { graphql } from "../gql";
import { energy, isoDay } from "../shared/format";
import { GreenButton } from "./GreenButton";
import { MonthComparison } from "./MonthComparison";
import { PeakHours } from "./PeakHours";
import { SimilarHomes } from "./SimilarHomes";
import { UsageChart } from "./UsageChart";

const UsageQuery = graphql(`
  query PortalUsage($number: String!, $from: Date!, $to: Date!, $interval: UsageInterval!) {
    account(number: $number) {
      ... on Account {
        number
        usage(from: $from, to: $to, interval: $interval) {
          interval
          timeZone
          totalKwh
          startsAt
          kwh
          temperatureF
        }
      }
      ... on AccountNotFound {
        message
      }
    }
  }
`);

const RANGES = {
  DAY: { label: "Daily, last 90 days", days: 90 },
  HOUR: { label: "Hourly, last 12 months", days: 365 },
} as const;
type Interval = keyof typeof RANGES;

function range(days: number): { from: string; to: string } {
  const to = new Date();
  const from = new Date(to);
  from.setDate(from.getDate() - (days - 1));
  return { from: isoDay(from), to: isoDay(to) };
}

export default function Usage({ number }: { number: string }) {
  const [interval, setInterval] = useState<Interval>("DAY");
  // Fixed when the screen opens, so that each interval's query is asked once.
  const [ranges] = useState(() => ({
    DAY: range(RANGES.DAY.days),
    HOUR: range(RANGES.HOUR.days),
  }));
  const chosen = ranges[interval];
  const [{ data, fetching, error }] = useQuery({
    query: UsageQuery,
    variables: { number, interval, ...chosen },
  });
  const selectId = useId();
  const account = data?.account;
  const usage = account?.__typename === "Account" ? account.usage : null;

  return (
    <>
    <section className="card" aria-labelledby="usage-heading">
      <div className="toolbar">
        <h1 id="usage-heading">Energy use</h1>
      </div>
      <div className="toolbar">
        <label htmlFor={selectId}>
          Show
          <select
            id={selectId}
            value={interval}
            onChange={(event) => setInterval(event.target.value as Interval)}
          >
            {(Object.keys(RANGES) as Interval[]).map((key) => (
              <option key={key} value={key}>
                {RANGES[key].label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {fetching && <p aria-busy="true">Loading usage…</p>}
      {error && !fetching && (
        <p className="problem" role="alert">
          Usage could not be loaded. Please try again in a moment.
        </p>
      )}
      {account?.__typename === "AccountNotFound" && <p role="alert">{account.message}</p>}
      {usage && !fetching && (
        <>
          <p>
            {energy(usage.totalKwh)} from {chosen.from} to {chosen.to}, with the daily mean
            temperature.
          </p>
          <UsageChart
            label={`${RANGES[interval].label}: energy in kWh and temperature in °F`}
            timeZone={usage.timeZone}
            startsAt={usage.startsAt}
            kwh={usage.kwh}
            temperatureF={usage.temperatureF}
            bars={interval === "DAY"}
          />
        </>
      )}
    </section>
    <MonthComparison number={number} />
    <PeakHours number={number} />
    <SimilarHomes number={number} />
    <GreenButton number={number} />
    </>
  );
}
