import { useQuery } from "urql";

import { graphql } from "../gql";
import { date, dateTime, energy, money } from "../shared/format";
import { ScrollingTable } from "../shared/ScrollingTable";

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

export function AccountView({ number, onBack }: { number: string; onBack: () => void }) {
  const [{ data, fetching, error }] = useQuery({ query: AccountQuery, variables: { number } });
  const account = data?.account;
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
        <ScrollingTable label="Recent bills">
          <table>
            <thead>
              <tr>
                <th scope="col">Billed</th>
                <th scope="col" className="number">
                  Energy
                </th>
                <th scope="col" className="number">
                  Amount
                </th>
                <th scope="col">Due</th>
              </tr>
            </thead>
            <tbody>
              {bills.map((bill) => (
                <tr key={bill.billDate}>
                  <td>{date(bill.billDate)}</td>
                  <td className="number">{energy(bill.kwh)}</td>
                  <td className="number">{money(bill.amount)}</td>
                  <td>{date(bill.dueDate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollingTable>
      </section>
      <section className="card" aria-labelledby="staff-payments-heading">
        <h2 id="staff-payments-heading">Payments through the portal</h2>
        {payments.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <ScrollingTable label="Payments">
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
                </tr>
              </thead>
              <tbody>
                {payments.map((payment) => (
                  <tr key={payment.id}>
                    <td>{dateTime(payment.createdAt)}</td>
                    <td>{payment.method.label}</td>
                    <td className="number">{money(payment.amount)}</td>
                    <td className="number">{money(payment.fee)}</td>
                    <td>
                      {payment.status}
                      {payment.declineReason ? ` (${payment.declineReason})` : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollingTable>
        )}
      </section>
    </>
  );
}
