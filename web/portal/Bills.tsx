import { type FormEvent, Suspense, lazy, useId, useState } from "react";
import { useClient, useQuery } from "urql";

import { graphql } from "../gql";
import { type BillRow, BillsTable } from "../shared/BillsTable";
import { startDownload } from "../shared/download";
import { date } from "../shared/format";

// uPlot and the comparison load when the member first compares two bills.
const BillComparison = lazy(() => import("./BillComparison"));

const BillsQuery = graphql(`
  query PortalBills($number: String!) {
    account(number: $number) {
      ... on Account {
        number
        bills(first: 24) {
          edges {
            cursor
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
      }
      ... on AccountNotFound {
        message
      }
    }
  }
`);

// One bill's link, asked for when the member downloads it (links last five minutes):
// the bill after the cursor of the one before it in the list.
const BillPdfQuery = graphql(`
  query PortalBillPdf($number: String!, $after: String) {
    account(number: $number) {
      ... on Account {
        number
        bills(first: 1, after: $after) {
          edges {
            node {
              billDate
              pdfUrl
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

export function Bills({ number }: { number: string }) {
  const client = useClient();
  const [{ data, fetching, error }] = useQuery({ query: BillsQuery, variables: { number } });
  const [problem, setProblem] = useState<string | null>(null);
  const [compared, setCompared] = useState<{ bill: BillRow; compareTo: BillRow } | null>(null);
  const firstId = useId();
  const secondId = useId();
  const account = data?.account;
  if (fetching && !data) {
    return <p aria-busy="true">Loading your bills…</p>;
  }
  if (error && !data) {
    return (
      <p className="problem" role="alert">
        Your bills could not be loaded. Please try again in a moment.
      </p>
    );
  }
  if (account?.__typename !== "Account") {
    return <p role="alert">{account?.message ?? "This account is not available."}</p>;
  }
  const edges = account.bills?.edges ?? [];
  const bills = edges.map((edge, index) => ({
    ...edge.node,
    after: index === 0 ? null : (edges[index - 1]?.cursor ?? null),
  }));

  const download = async (billDate: string, after: string | null) => {
    setProblem(null);
    const answer = await client
      .query(BillPdfQuery, { number, after }, { requestPolicy: "network-only" })
      .toPromise();
    const found = answer.data?.account;
    const bill = found?.__typename === "Account" ? found.bills?.edges[0]?.node : undefined;
    if (bill?.billDate === billDate) {
      startDownload(bill.pdfUrl);
    } else {
      setProblem(
        answer.error?.graphQLErrors[0]?.message ??
          "The bill could not be downloaded just now. Please try again in a moment.",
      );
    }
  };

  const compare = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const bill = bills.find((b) => b.billDate === form.get("bill"));
    const compareTo = bills.find((b) => b.billDate === form.get("compareTo"));
    setCompared(bill && compareTo ? { bill, compareTo } : null);
  };

  return (
    <>
      <section className="card" aria-labelledby="bills-heading">
        <h1 id="bills-heading">Bills</h1>
        {problem && (
          <p className="problem" role="alert">
            {problem}
          </p>
        )}
        {bills.length === 0 ? (
          <p className="muted">No bills yet.</p>
        ) : (
          <BillsTable
            label="Bills"
            bills={bills}
            action={{
              heading: "PDF",
              cell: (bill) => (
                <button
                  type="button"
                  aria-label={`Download the bill of ${date(bill.billDate)} (PDF)`}
                  onClick={() => void download(bill.billDate, bill.after)}
                >
                  Download
                </button>
              ),
            }}
          />
        )}
      </section>
      {bills.length > 1 && (
        <section className="card" aria-labelledby="compare-bills-heading">
          <h2 id="compare-bills-heading">Compare two bills</h2>
          <form className="toolbar" onSubmit={compare}>
            <div className="field">
              <label htmlFor={firstId}>Bill</label>
              <select id={firstId} name="bill" defaultValue={bills[0]?.billDate}>
                {bills.map((bill) => (
                  <option key={bill.billDate} value={bill.billDate}>
                    {date(bill.billDate)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={secondId}>Compared with</label>
              <select
                id={secondId}
                name="compareTo"
                defaultValue={bills[Math.min(12, bills.length - 1)]?.billDate}
              >
                {bills.map((bill) => (
                  <option key={bill.billDate} value={bill.billDate}>
                    {date(bill.billDate)}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="primary">
              Compare
            </button>
          </form>
          {compared && (
            <Suspense fallback={<p aria-busy="true">Comparing…</p>}>
              <BillComparison number={number} {...compared} />
            </Suspense>
          )}
        </section>
      )}
    </>
  );
}
