import type { ReactNode } from "react";

import { dateTime, money, statusName } from "./format";
import { ScrollingTable } from "./ScrollingTable";

export type PaymentRow = {
  id: string;
  createdAt: string;
  amount: string;
  fee: string;
  status: string;
  declineReason?: string | null;
  method: { label: string };
};

type Props<Row extends PaymentRow> = {
  label: string;
  payments: readonly Row[];
  /** A last column, for what can be done with each payment (an admin's refund). */
  action?: { heading: string; cell: (payment: Row) => ReactNode };
};

/** Payments made through the gateway, newest first: the member's history and the
 * console's account view. */
export function PaymentsTable<Row extends PaymentRow>({ label, payments, action }: Props<Row>) {
  return (
    <ScrollingTable label={label}>
      <table>
        <thead>
          <tr>
            <th scope="col">Made</th>
            <th scope="col">Method</th>
            <th scope="col" className="number">
              Amount
            </th>
            <th scope="col" className="number">
              Fee
            </th>
            <th scope="col">Status</th>
            {action && <th scope="col">{action.heading}</th>}
          </tr>
        </thead>
        <tbody>
          {payments.map((payment) => (
            <tr key={payment.id}>
              <td>{dateTime(payment.createdAt)}</td>
              <td>{payment.method.label}</td>
              <td className="number">{money(payment.amount)}</td>
              <td className="number">{money(payment.fee)}</td>
              <td className="wrap">
                {statusName(payment.status)}
                {payment.declineReason ? ` (${payment.declineReason})` : ""}
              </td>
              {action && <td>{action.cell(payment)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollingTable>
  );
}
