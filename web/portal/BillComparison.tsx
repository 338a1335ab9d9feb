import { useMemo } from "react";
import { useQuery } from "urql";

import { graphql } from "../gql";
import type { BillRow } from "../shared/BillsTable";
import { date } from "../shared/format";
import { BillChangeParts } from "./BillChange";
import { LineChart } from "./LineChart";
import { PeriodComparison } from "./PeriodComparison";

const BillComparisonQuery = graphql(`
  query PortalBillComparison(
    $number: String!
    $month: String!
    $compareTo: String!
    $from: Date!
    $to: Date!
    $compareFrom: Date!
    $compareToDay: Date!
  ) {
    account(number: $number) {
      ... on Account {
        number
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
        current: usage(from: $from, to: $to, interval: DAY) {
          kwh
          temperatureF
        }
        earlier: usage(from: $compareFrom, to: $compareToDay, interval: DAY) {
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

const dayOfPeriod = (day: number) => `Day ${day}`;

/** Two bills compared: their periods with the weather, why the amount changed, and
 * the daily use of both laid over each other, day by day of the period. */
export default function BillComparison({
  number,
  bill,
  compareTo,
}: {
  number: string;
  bill: BillRow;
  compareTo: BillRow;
}) {
  const [{ data, fetching, error }] = useQuery({
    query: BillComparisonQuery,
    variables: {
      number,
      month: bill.billDate.slice(0, 7),
      compareTo: compareTo.billDate.slice(0, 7),
      from: bill.servicePeriod.start,
      to: bill.servicePeriod.end,
      compareFrom: compareTo.servicePeriod.start,
      compareToDay: compareTo.servicePeriod.end,
    },
  });
  const account = data?.account;
  const found = account?.__typename === "Account" ? account : null;
  const chart = useMemo(() => {
    if (!found?.current || !found.earlier) {
      return null;
    }
    const length = Math.max(found.current.kwh.length, found.earlier.kwh.length);
    const pad = <T,>(values: readonly T[]) =>
      Array.from({ length }, (_, day) => values[day] ?? null);
    const billName = date(bill.billDate);
    const compareName = date(compareTo.billDate);
    return {
      x: Array.from({ length }, (_, day) => day + 1),
      lines: [
        { label: billName, values: pad(found.current.kwh), unit: "kWh" as const, color: "#0b5a3c" },
        {
          label: compareName,
          values: pad(found.earlier.kwh),
          unit: "kWh" as const,
          color: "#0a4f8a",
          dashed: true,
        },
        {
          label: `${billName} temperature`,
          values: pad(found.current.temperatureF),
          unit: "°F" as const,
          color: "#b8461b",
        },
        {
          label: `${compareName} temperature`,
          values: pad(found.earlier.temperatureF),
          unit: "°F" as const,
          color: "#7a4b9c",
          dashed: true,
        },
      ],
    };
  }, [found, bill.billDate, compareTo.billDate]);

  if (fetching && !data) {
    return <p aria-busy="true">Comparing…</p>;
  }
  if (error && !data) {
    return (
      <p className="problem" role="alert">
        {error.graphQLErrors[0]?.message ?? "The bills could not be compared just now."}
      </p>
    );
  }
  if (account?.__typename === "AccountNotFound") {
    return <p role="alert">{account.message}</p>;
  }
  return (
    <>
      {found?.usageComparison && (
        <PeriodComparison label="The bills compared" comparison={found.usageComparison} />
      )}
      {found?.billChange && (
        <>
          <h3>Why the amount differs</h3>
          <BillChangeParts change={found.billChange} />
        </>
      )}
      {chart && (
        <>
          <h3>Daily use</h3>
          <LineChart
            label={`Daily use in kWh and temperature in °F, the bill of ${date(bill.billDate)} against that of ${date(compareTo.billDate)}`}
            x={chart.x}
            xLabel="Day of the period"
            xName={dayOfPeriod}
            lines={chart.lines}
          />
        </>
      )}
    </>
  );
}
