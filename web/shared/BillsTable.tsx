import type { ReactNode } from "react";

import { date, energy, money } from "./format";
import { ScrollingTable } from "./ScrollingTable";

export type BillRow = {
  billDate: string;
  dueDate: string;
  amount: string;
  kwh: number;
  servicePeriod: { start: string; end: string };
};

type Props<Row extends BillRow> = {
  label: string;
  bills: readonly Row[];
  /** A last column, for what can be done with each bill (download its PDF). */
  action?: { heading: string; cell: (bill: Row) => ReactNode };
};

/** Bills, newest first: the portal's list and the console's account view. */
export function BillsTable<Row extends BillRow>({ label, bills, action }: Props<Row>) {
  return (
    <ScrollingTable label={label}>
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
            {action && <th scope="col">{action.heading}</th>}
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
              {action && <td>{action.cell(bill)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollingTable>
  );
}
