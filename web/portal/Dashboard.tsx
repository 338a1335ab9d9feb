import { useQuery } from "urql";

import { graphql } from "../gql";
import { date, energy, money, temperature } from "../shared/format";
import { ScrollingTable } from "../shared/ScrollingTable";
import { outageNews } from "./outageNews";

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
        <section className="card wide" aria-labelledby="compare-heading">
          <h2 id="compare-heading">This bill vs the last</h2>
          {comparison ? (
            <ScrollingTable label="This bill and the last">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Bill</th>
                    <th scope="col" className="number">
                      Energy
                    </th>
                    <th scope="col" className="number">
                      Cost
                    </th>
                    <th scope="col" className="number">
                      Temp
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {[comparison.current, comparison.compareTo].map((period) => (
                    <tr key={period.billDate}>
                      <td>{date(period.billDate)}</td>
                      <td className="number">{energy(period.kwh)}</td>
                      <td className="number">{money(period.cost)}</td>
                      <td className="number">{temperature(period.averageTemperatureF)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p>
                {comparison.change.kwh >= 0 ? "Up" : "Down"}{" "}
                {energy(Math.abs(comparison.change.kwh))}
                {comparison.change.kwhPercent !== null && comparison.change.kwhPercent !== undefined
                  ? ` (${Math.abs(comparison.change.kwhPercent).toFixed(0)}%)`
                  : ""}
                , {money(comparison.change.cost)} in cost.
              </p>
            </ScrollingTable>
          ) : (
            <p className="muted">Not enough bills to compare yet.</p>
          )}
        </section>
      </div>
    </>
  );
}
