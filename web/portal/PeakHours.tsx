import { useMemo } from "react";
import { useQuery } from "urql";

import { graphql } from "../gql";
import { date, hourOfDay, localDateTime, temperature } from "../shared/format";
import { ScrollingTable } from "../shared/ScrollingTable";
import { LineChart } from "./LineChart";

const PeakDemandQuery = graphql(`
  query PortalPeakDemand($number: String!) {
    account(number: $number) {
      ... on Account {
        number
        peakDemand(periods: 12) {
          periods {
            billDate
            start
            end
            peak {
              startsAt
              kwh
              temperatureF
            }
          }
          topHours {
            startsAt
            kwh
            temperatureF
          }
          weekdayProfile
          weekendProfile
        }
      }
    }
  }
`);

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);

/** Peak hours: each billing period's highest hour, the five highest, and the average
 * weekday and weekend day hour by hour. */
export function PeakHours({ number }: { number: string }) {
  const [{ data, fetching, error }] = useQuery({ query: PeakDemandQuery, variables: { number } });
  const peak = data?.account?.__typename === "Account" ? data.account.peakDemand : null;
  const lines = useMemo(
    () =>
      peak
        ? [
            {
              label: "Weekday",
              values: peak.weekdayProfile,
              unit: "kWh" as const,
              color: "#0b5a3c",
            },
            {
              label: "Weekend",
              values: peak.weekendProfile,
              unit: "kWh" as const,
              color: "#0a4f8a",
              dashed: true,
            },
          ]
        : [],
    [peak],
  );
  return (
    <section className="card" aria-labelledby="peak-heading">
      <h2 id="peak-heading">Peak hours</h2>
      {fetching && !data && <p aria-busy="true">Finding your peak hours…</p>}
      {error && !data && (
        <p className="problem" role="alert">
          Peak hours could not be loaded. Please try again in a moment.
        </p>
      )}
      {data && !peak && <p className="muted">No hourly reads for this account.</p>}
      {peak && (
        <>
          <h3>Your average day</h3>
          <LineChart
            label="Average use by hour of the day, weekdays and weekends, in kWh"
            x={HOURS}
            xLabel="Hour"
            xName={hourOfDay}
            lines={lines}
          />
          <h3>Your five highest hours</h3>
          <ol className="breakdown" aria-label="The five highest hours">
            {peak.topHours.map((hour) => (
              <li key={hour.startsAt}>
                <span>{localDateTime(hour.startsAt)}</span>
                <span>
                  {hour.kwh.toFixed(2)} kWh, {temperature(hour.temperatureF)}
                </span>
              </li>
            ))}
          </ol>
          <h3>The peak of each billing period</h3>
          <ScrollingTable label="Peak hour of each billing period">
            <table>
              <thead>
                <tr>
                  <th scope="col">Bill</th>
                  <th scope="col">Peak hour</th>
                  <th scope="col" className="number">
                    Energy
                  </th>
                  <th scope="col" className="number">
                    Temp
                  </th>
                </tr>
              </thead>
              <tbody>
                {peak.periods.map((period) => (
                  <tr key={period.billDate}>
                    <td>{date(period.billDate)}</td>
                    <td>{period.peak ? localDateTime(period.peak.startsAt) : "No hourly reads"}</td>
                    <td className="number">
                      {period.peak ? `${period.peak.kwh.toFixed(2)} kWh` : "—"}
                    </td>
                    <td className="number">{temperature(period.peak?.temperatureF)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollingTable>
        </>
      )}
    </section>
  );
}
