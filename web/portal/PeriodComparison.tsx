import { date, energy, money, temperature } from "../shared/format";
import { ScrollingTable } from "../shared/ScrollingTable";

type Period = {
  billDate: string;
  days: number;
  kwh: number;
  cost: string;
  averageTemperatureF?: number | null;
  heatingDegreeDays?: number;
  coolingDegreeDays?: number;
};

export type Comparison = {
  current: Period;
  compareTo: Period;
  change: { kwh: number; kwhPercent?: number | null; cost: string };
};

/** Two billing periods side by side with their weather, and what changed: the
 * dashboard's "this bill vs the last", the usage screen's months, the bills compared. */
export function PeriodComparison({ label, comparison }: { label: string; comparison: Comparison }) {
  const periods = [comparison.current, comparison.compareTo];
  const withDegreeDays = periods.every((period) => period.heatingDegreeDays !== undefined);
  const change = comparison.change;
  return (
    <ScrollingTable label={label}>
      <table>
        <thead>
          <tr>
            <th scope="col">Bill</th>
            <th scope="col" className="number">
              Days
            </th>
            <th scope="col" className="number">
              Energy
            </th>
            <th scope="col" className="number">
              Cost
            </th>
            <th scope="col" className="number">
              Temp
            </th>
            {withDegreeDays && (
              <>
                <th scope="col" className="number">
                  Heating degree days
                </th>
                <th scope="col" className="number">
                  Cooling degree days
                </th>
              </>
            )}
          </tr>
        </thead>
        <tbody>
          {periods.map((period) => (
            <tr key={period.billDate}>
              <td>{date(period.billDate)}</td>
              <td className="number">{period.days}</td>
              <td className="number">{energy(period.kwh)}</td>
              <td className="number">{money(period.cost)}</td>
              <td className="number">{temperature(period.averageTemperatureF)}</td>
              {withDegreeDays && (
                <>
                  <td className="number">{Math.round(period.heatingDegreeDays ?? 0)}</td>
                  <td className="number">{Math.round(period.coolingDegreeDays ?? 0)}</td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        {change.kwh >= 0 ? "Up" : "Down"} {energy(Math.abs(change.kwh))}
        {change.kwhPercent !== null && change.kwhPercent !== undefined
          ? ` (${Math.abs(change.kwhPercent).toFixed(0)}%)`
          : ""}
        , {money(change.cost)} in cost.
      </p>
    </ScrollingTable>
  );
}
