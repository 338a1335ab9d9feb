import { useEffect, useState } from "react";
import { useQuery } from "urql";

import { graphql } from "../gql";
import { BillsTable } from "../shared/BillsTable";
import { date, money } from "../shared/format";
import { PaymentsTable } from "../shared/PaymentsTable";
import { ConsentLog } from "./ConsentLog";
import { Refund } from "./Refund";

// Every read of an account by staff is written to the audit log by the gateway.
const AccountQuery = graphql(`
  query StaffAccount($number: String!) {
    account(number: $number) {
      ... on Account {
        number
        customer {
          firstName
          lastName
          businessName
          email
          homePhone
          mobilePhone
          billingAddress {
            line1
            line2
            city
            state
            zip
          }
        }
        balance {
          amountDue
          dueDate
          isPastDue
          pastDueAmount
        }
        serviceLocations {
          id
          rateClass
          serviceStatus
          address {
            line1
            city
            state
          }
          outageStatus {
            isOut
          }
        }
        bills(first: 6) {
          edges {
            node {
              billDate
              dueDate
              amount
              kwh
              servicePeriod {
                start
                end
              }
            }
          }
        }
        payments(first: 10) {
          edges {
            node {
              id
              createdAt
              amount
              fee
              total
              status
              declineReason
              method {
                label
              }
            }
          }
        }
      }
      ... on AccountNotFound {
        message
      }
    }
  }
`);

const POLL_MS = 3000;

type Props = {
  number: string;
  /** Admins may refund payments; the gateway refuses anyone else. */
  canRefund: boolean;
  onBack: () => void;
};

export function AccountView({ number, canRefund, onBack }: Props) {
  const [{ data, fetching, error }, reload] = useQuery({
    query: AccountQuery,
    variables: { number },
  });
  // A refund requested here: its payment is asked for again until the worker has
  // carried it out.
  const [refunding, setRefunding] = useState<string | null>(null);
  const [refundOf, setRefundOf] = useState<string | null>(null);
  const [refundNews, setRefundNews] = useState<string | null>(null);
  const account = data?.account;
  const refunded =
    account?.__typename === "Account" &&
    account.payments?.edges.some(
      (edge) => edge.node.id === refunding && edge.node.status !== "POSTED",
    );
  useEffect(() => {
    if (refunding === null || refunded) {
      return undefined;
    }
    const timer = window.setInterval(() => reload({ requestPolicy: "network-only" }), POLL_MS);
    return () => window.clearInterval(timer);
  }, [refunding, refunded, reload]);
  const back = (
    <button type="button" onClick={onBack}>
      Back to search
    </button>
  );
  if (fetching && !data) {
    return <p aria-busy="true">Loading account {number}…</p>;
  }
  if (error && !data) {
    return (
      <>
        {back}
        <p className="problem" role="alert">
          The account could not be loaded.
        </p>
      </>
    );
  }
  if (account?.__typename !== "Account") {
    return (
      <>
        {back}
        <p role="alert">{account?.message ?? "No such account."}</p>
      </>
    );
  }
  const customer = account.customer;
  const bills = account.bills?.edges.map((edge) => edge.node) ?? [];
  const payments = account.payments?.edges.map((edge) => edge.node) ?? [];
  const refundPayment = payments.find((payment) => payment.id === refundOf);
  return (
    <>
      <div className="toolbar">{back}</div>
      <h1>
        Account {account.number}
        {customer && ` · ${customer.businessName ?? `${customer.firstName} ${customer.lastName}`}`}
      </h1>
      <p className="muted">Read-only. This view is recorded in the audit log.</p>
      <div className="grid">
        <section className="card" aria-labelledby="customer-heading">
          <h2 id="customer-heading">Customer</h2>
          {customer ? (
            <dl className="facts">
              <dt>Email</dt>
              <dd>{customer.email ?? "—"}</dd>
              <dt>Home phone</dt>
              <dd>{customer.homePhone ?? "—"}</dd>
              <dt>Mobile</dt>
              <dd>{customer.mobilePhone ?? "—"}</dd>
              <dt>Billing address</dt>
              <dd>
                {customer.billingAddress.line1}
                {customer.billingAddress.line2 ? `, ${customer.billingAddress.line2}` : ""},{" "}
                {customer.billingAddress.city}, {customer.billingAddress.state}{" "}
                {customer.billingAddress.zip}
              </dd>
            </dl>
          ) : (
            <p className="muted">Not available right now.</p>
          )}
        </section>
        <section className="card" aria-labelledby="balance-heading">
          <h2 id="balance-heading">Balance</h2>
          {account.balance ? (
            <dl className="facts">
              <dt>Amount due</dt>
              <dd>{money(account.balance.amountDue)}</dd>
              <dt>Due</dt>
              <dd>{account.balance.dueDate ? date(account.balance.dueDate) : "—"}</dd>
              <dt>Past due</dt>
              <dd>
                {account.balance.isPastDue ? money(account.balance.pastDueAmount) : "No"}
              </dd>
            </dl>
          ) : (
            <p className="muted">Not available right now.</p>
          )}
        </section>
        <section className="card" aria-labelledby="locations-heading">
          <h2 id="locations-heading">Service locations</h2>
          <ul className="list">
            {(account.serviceLocations ?? []).map((location) => (
              <li key={location.id}>
                {location.address.line1}, {location.address.city} · {location.rateClass} ·{" "}
                {location.serviceStatus}
                {location.outageStatus?.isOut && <span className="badge alert"> Out</span>}
              </li>
            ))}
          </ul>
        </section>
      </div>
      <section className="card" aria-labelledby="staff-bills-heading">
        <h2 id="staff-bills-heading">Recent bills</h2>
        <BillsTable label="Recent bills" bills={bills} />
      </section>
      <section className="card" aria-labelledby="staff-payments-heading">
        <h2 id="staff-payments-heading">Payments through the portal</h2>
        {payments.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <PaymentsTable
            label="Payments"
            payments={payments}
            {...(canRefund && {
              action: {
                heading: "Refund",
                cell: (payment: (typeof payments)[number]) =>
                  payment.status === "POSTED" && payment.id !== refunding ? (
                    <button
                      type="button"
                      aria-label={`Refund the payment of ${money(payment.total)} with ${payment.method.label}`}
                      onClick={() => {
                        setRefundOf(payment.id);
                        setRefundNews(null);
                      }}
                    >
                      Refund
                    </button>
                  ) : null,
              },
            })}
          />
        )}
        {refundNews && <p role="status">{refundNews}</p>}
        {refundPayment && (
          <Refund
            key={refundPayment.id}
            payment={refundPayment}
            onRequested={(news) => {
              setRefunding(refundPayment.id);
              setRefundOf(null);
              setRefundNews(news);
            }}
            onCancel={() => setRefundOf(null)}
          />
        )}
      </section>
      <ConsentLog number={account.number} />
    </>
  );
}
