import { useQuery } from "urql";

import { graphql } from "../gql";
import { date, dateTime, energy, money } from "../shared/format";
import { outageNews } from "./outageNews";
import { PeriodComparison } from "./PeriodComparison";
import { ProjectedBill } from "./ProjectedBill";

const DashboardQuery = graphql(`
  query PortalDashboard($number: String!) {
    account(number: $number) {
      ... on Account {
        number
        balance {
          amountDue
          pastDueAmount
          dueDate
          isPastDue
          disconnectDate
          lastPayment {
            amount
            date
          }
        }
        serviceLocations {
          id
          address {
            line1
            city
            state
          }
          outageStatus {
            isOut
            event {
              phase
              cause
              crew
              customersAffected
              estimatedRestoration
            }
          }
        }
        bills(first: 1) {
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
        usageComparison {
          current {
            billDate
            days
            kwh
            cost
            averageTemperatureF
          }
          compareTo {
            billDate
            days
            kwh
            cost
            averageTemperatureF
          }
          change {
            kwh
            kwhPercent
            cost
          }
        }
      }
      ... on AccountNotFound {
        message
      }
    }
  }
`);

export function Dashboard({ number, onPay }: { number: string; onPay: () => void }) {
  const [{ data, fetching, error }] = useQuery({
    query: DashboardQuery,
    variables: { number },
  });
  const account = data?.account;
  if (fetching && !data) {
    return <p aria-busy="true">Loading your account…</p>;
  }
  if (error && !data) {
    return (
      <p className="problem" role="alert">
        Your account could not be loaded. Please try again in a moment.
      </p>
    );
  }
  if (account?.__typename !== "Account") {
    return <p role="alert">{account?.message ?? "This account is not available."}</p>;
  }
  const balance = account.balance;
  const latest = account.bills?.edges[0]?.node;
  const comparison = account.usageComparison;
  const outages = (account.serviceLocations ?? []).filter((l) => l.outageStatus?.isOut);

  return (
    <>
      <h1>Account {account.number}</h1>
      {outages.map((location) => {
        const event = location.outageStatus?.event;
        return (
          <section key={location.id} className="banner alert" aria-label="Power outage">
            <strong>Power is out at {location.address.line1}.</strong>{" "}
            {event && outageNews(event)}
          </section>
        );
      })}
      {outages.length === 0 && (account.serviceLocations ?? []).length > 0 && (
        <p className="banner ok">Power is on at all your service locations.</p>
      )}
      <div className="grid">
        <section className="card" aria-labelledby="due-heading">
          <h2 id="due-heading">Amount due</h2>
          {balance ? (
            <>
              <p className="figure">{money(balance.amountDue)}</p>
              {balance.isPastDue ? (
                <p>
                  <span className="badge alert">Past due</span>{" "}
                  {money(balance.pastDueAmount)} is past due
                  {balance.disconnectDate
                    ? `; service may be disconnected on ${date(balance.disconnectDate)}`
                    : ""}
                  .
                </p>
              ) : (
                balance.dueDate && <p>Due {date(balance.dueDate)}</p>
              )}
              {Number(balance.amountDue) > 0 && (
                <button type="button" className="primary" onClick={onPay}>
                  Pay now
                </button>
              )}
              {balance.lastPayment && (
                <p className="muted">
                  Last payment {money(balance.lastPayment.amount)} on{" "}
                  {date(balance.lastPayment.date)}
                </p>
              )}
            </>
          ) : (
            <p className="muted">The balance is not available right now.</p>
          )}
        </section>
        <section className="card" aria-labelledby="bill-heading">
          <h2 id="bill-heading">Latest bill</h2>
          {latest ? (
            <>
              <p className="figure">{money(latest.amount)}</p>
              <p>
                {date(latest.servicePeriod.start)} – {date(latest.servicePeriod.end)},{" "}
                {energy(latest.kwh)}
              </p>
              <p className="muted">
                Billed {date(latest.billDate)}, due {date(latest.dueDate)}
              </p>
            </>
          ) : (
            <p className="muted">No bill yet.</p>
          )}
        </section>
        <ProjectedBill number={account.number} />
        <section className="card wide" aria-labelledby="compare-heading">
          <h2 id="compare-heading">This bill vs the last</h2>
          {comparison ? (
            <PeriodComparison label="This bill and the last" comparison={comparison} />
          ) : (
            <p className="muted">Not enough bills to compare yet.</p>
          )}
        </section>
      </div>
    </>
  );
}
