import { type FormEvent, useCallback, useEffect, useState } from "react";
import { useMutation, useQuery } from "urql";

import { graphql } from "../gql";
import { dateTime, money } from "../shared/format";
import { ScrollingTable } from "../shared/ScrollingTable";
import { usePolling } from "../shared/usePolling";
import { Autopay } from "./Autopay";

const PaymentQuery = graphql(`
  query PortalPayment($number: String!) {
    viewer {
      paymentMethods {
        id
        label
        isDefault
        expired
      }
    }
    account(number: $number) {
      ... on Account {
        number
        paymentOptions {
          amountDue
          minimumAmount
          maximumAmount
          methods {
            kind
            flatFee
            percentFee
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
              confirmationNumber
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

const PayBill = graphql(`
  mutation PortalPayBill($input: PayBillInput!) {
    payBill(input: $input) {
      ... on PaymentAccepted {
        payment {
          id
          status
          total
        }
      }
      ... on PaymentDeclined {
        reason
      }
      ... on DuplicatePaymentWarning {
        message
      }
      ... on AutopayDraftPendingWarning {
        message
      }
      ... on ValidationError {
        field
        message
      }
      ... on AccountNotFound {
        message
      }
    }
  }
`);

type Processor = { url: string; publishableKey: string };
type Token = { id: string; label: string };
// What pays: a new card's single-use token, or a method saved in the wallet.
type Source =
  | { token: string; label: string; save: boolean }
  | { savedMethodId: string; label: string };
type Review = { amount: string; fee: string; total: string; source: Source; key: string };
const NEW_CARD = "new";

/** The processor named in the gateway's portal configuration, or null without one. */
function useProcessor(): Processor | null | undefined {
  const [processor, setProcessor] = useState<Processor | null | undefined>(undefined);
  useEffect(() => {
    let current = true;
    void fetch("/portal/config.json", { credentials: "omit" })
      .then((answer) => answer.json() as Promise<{ payments: Processor | null }>)
      .then((config) => current && setProcessor(config.payments))
      .catch(() => current && setProcessor(null));
    return () => {
      current = false;
    };
  }, []);
  return processor;
}

/**
 * The card goes from this form straight to the processor, which answers a single-use
 * token; the gateway only ever sees that token.
 */
async function tokenizeCard(processor: Processor, form: FormData): Promise<Token> {
  const answer = await fetch(`${processor.url}/v1/tokens`, {
    method: "POST",
    credentials: "omit",
    headers: {
      Authorization: `Bearer ${processor.publishableKey}`,
      "Content-Type": "application/json",
    },
    body: JSON.stringify({
      card: {
        number: String(form.get("card-number") ?? ""),
        exp_month: Number(form.get("exp-month")),
        exp_year: Number(form.get("exp-year")),
        cvc: String(form.get("cvc") ?? ""),
        postal_code: String(form.get("postal-code") ?? ""),
      },
    }),
  });
  const body = (await answer.json()) as {
    id?: string;
    card?: { brand?: string; last4?: string };
    error?: { message?: string };
  };
  if (!answer.ok || body.id === undefined) {
    throw new Error(body.error?.message ?? "The card was not accepted.");
  }
  const brand = body.card?.brand ?? "card";
  const name = `${brand.charAt(0).toUpperCase()}${brand.slice(1)}`;
  const label = `${name} ending ${body.card?.last4 ?? ""}`;
  return { id: body.id, label };
}

/** The card fee for `amount` from the co-op's rule: flat plus a percent, to the cent. */
function cardFee(amount: number, flat: string, percent: string): number {
  return Math.round((Number(flat) + (amount * Number(percent)) / 100) * 100) / 100;
}

export default function Pay({ number }: { number: string }) {
  const processor = useProcessor();
  const [{ data, fetching }, reload] = useQuery({ query: PaymentQuery, variables: { number } });
  const [{ fetching: paying }, payBill] = useMutation(PayBill);
  const [review, setReview] = useState<Review | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [duplicate, setDuplicate] = useState<string | null>(null);
  const [made, setMade] = useState<string | null>(null);
  const [paidWith, setPaidWith] = useState<string | null>(null);
  const listed = data?.account?.__typename === "Account" ? data.account.payments : null;
  const processing = listed?.edges.some((edge) => edge.node.status === "PROCESSING") ?? false;
  const askAgain = useCallback(() => reload({ requestPolicy: "network-only" }), [reload]);
  usePolling(processing, askAgain);

  const account = data?.account;
  if (fetching && !data) {
    return <p aria-busy="true">Loading payment options…</p>;
  }
  if (account?.__typename !== "Account") {
    return <p role="alert">{account?.message ?? "This account is not available."}</p>;
  }
  const options = account.paymentOptions;
  const card = options?.methods.find((method) => method.kind === "CARD");
  const payments = account.payments?.edges.map((edge) => edge.node) ?? [];
  const latest = payments.find((payment) => payment.id === made);
  const saved = (data?.viewer?.paymentMethods ?? []).filter((method) => !method.expired);
  const chosen = paidWith ?? saved.find((method) => method.isDefault)?.id ?? NEW_CARD;

  const prepare = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblem(null);
    setDuplicate(null);
    setMade(null);
    if (!processor || !card) {
      return;
    }
    const form = new FormData(event.currentTarget);
    const amount = Number(form.get("amount"));
    const savedMethod = saved.find((method) => method.id === chosen);
    try {
      let source: Source;
      if (savedMethod === undefined) {
        const token = await tokenizeCard(processor, form);
        source = { token: token.id, label: token.label, save: form.get("save") === "on" };
      } else {
        source = { savedMethodId: savedMethod.id, label: savedMethod.label };
      }
      const fee = cardFee(amount, card.flatFee, card.percentFee);
      setReview({
        amount: amount.toFixed(2),
        fee: fee.toFixed(2),
        total: (amount + fee).toFixed(2),
        source,
        key: crypto.randomUUID(),
      });
    } catch (error) {
      setProblem(error instanceof Error ? error.message : "The card was not accepted.");
    }
  };

  const pay = async (confirmDuplicate: boolean) => {
    if (review === null) {
      return;
    }
    const answer = await payBill({
      input: {
        accountNumber: account.number,
        amount: review.amount,
        method:
          "token" in review.source
            ? { token: review.source.token }
            : { savedMethodId: review.source.savedMethodId },
        saveMethod: "token" in review.source && review.source.save,
        idempotencyKey: review.key,
        confirmDuplicate,
      },
    });
    const result = answer.data?.payBill;
    if (result?.__typename === "PaymentAccepted") {
      setMade(result.payment.id);
      setReview(null);
      setDuplicate(null);
      reload({ requestPolicy: "network-only" });
    } else if (result?.__typename === "DuplicatePaymentWarning") {
      setDuplicate(result.message);
    } else if (result?.__typename === "PaymentDeclined") {
      setProblem(`The card was declined: ${result.reason}`);
      setReview(null);
    } else if (result !== undefined && "message" in result) {
      setProblem(result.message);
    } else {
      setProblem("The payment did not go through. Please try again in a moment.");
    }
  };

  return (
    <>
      <section className="card" aria-labelledby="pay-heading">
        <h1 id="pay-heading">Pay your bill</h1>
        {latest && <Outcome payment={latest} />}
        {problem && (
          <p className="problem" role="alert">
            {problem}
          </p>
        )}
        {processor === null && <p>Paying online is not available right now.</p>}
        {processor && options && card && review === null && (
          <form className="pay-form" onSubmit={(event) => void prepare(event)}>
            <p>
              Amount due {money(options.amountDue)}. Card payments carry a fee of{" "}
              {money(card.flatFee)}
              {Number(card.percentFee) > 0 ? ` plus ${card.percentFee}%` : ""}.
            </p>
            <label>
              Amount (USD)
              <input
                name="amount"
                inputMode="decimal"
                type="number"
                step="0.01"
                min={options.minimumAmount}
                max={options.maximumAmount}
                defaultValue={options.amountDue}
                required
              />
            </label>
            {saved.length > 0 && (
              <fieldset className="methods">
                <legend>Pay with</legend>
                {[...saved, { id: NEW_CARD, label: "A new card" }].map((method) => (
                  <label key={method.id} className="choice">
                    <input
                      type="radio"
                      name="method"
                      value={method.id}
                      checked={chosen === method.id}
                      onChange={() => setPaidWith(method.id)}
                    />
                    {method.label}
                  </label>
                ))}
              </fieldset>
            )}
            {chosen === NEW_CARD && (
              <>
                <label>
                  Card number
                  <input name="card-number" inputMode="numeric" autoComplete="cc-number" required />
                </label>
                <div className="fields">
                  <label>
                    Expiry month
                    <input
                      name="exp-month"
                      inputMode="numeric"
                      autoComplete="cc-exp-month"
                      required
                    />
                  </label>
                  <label>
                    Expiry year
                    <input
                      name="exp-year"
                      inputMode="numeric"
                      autoComplete="cc-exp-year"
                      required
                    />
                  </label>
                  <label>
                    Security code
                    <input name="cvc" inputMode="numeric" autoComplete="cc-csc" required />
                  </label>
                  <label>
                    ZIP code
                    <input name="postal-code" autoComplete="postal-code" required />
                  </label>
                </div>
                <label className="choice">
                  <input type="checkbox" name="save" />
                  Save this card for next time
                </label>
              </>
            )}
            <button type="submit" className="primary">
              Review payment
            </button>
          </form>
        )}
        {review && (
          <div className="review">
            <h2>Review your payment</h2>
            <dl className="facts">
              <dt>Pay with</dt>
              <dd>{review.source.label}</dd>
              <dt>Amount</dt>
              <dd>{money(review.amount)}</dd>
              <dt>Card fee</dt>
              <dd>{money(review.fee)}</dd>
              <dt>Total charged</dt>
              <dd>
                <strong>{money(review.total)}</strong>
              </dd>
            </dl>
            {duplicate ? (
              <div className="banner alert" role="alert">
                <p>{duplicate}</p>
                <button
                  type="button"
                  className="primary"
                  disabled={paying}
                  onClick={() => void pay(true)}
                >
                  Pay anyway
                </button>
              </div>
            ) : (
              <div className="toolbar">
                <button
                  type="button"
                  className="primary"
                  disabled={paying}
                  onClick={() => void pay(false)}
                >
                  Pay {money(review.total)}
                </button>
                <button type="button" onClick={() => setReview(null)}>
                  Cancel
                </button>
              </div>
            )}
          </div>
        )}
      </section>
      <Autopay key={`${number}-${saved.length}`} number={number} />
      <section className="card" aria-labelledby="history-heading">
        <h2 id="history-heading">Payment history</h2>
        {payments.length === 0 ? (
          <p className="muted">No payments made online yet.</p>
        ) : (
          <ScrollingTable label="Payment history">
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
                    <td className="wrap">
                      {payment.status.charAt(0) + payment.status.slice(1).toLowerCase()}
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

type Made = {
  total: string;
  status: string;
  declineReason?: string | null;
  confirmationNumber?: string | null;
};

/** Where the payment just made stands, as the history shows it (asked again while it
 * is on its way). */
function Outcome({ payment }: { payment: Made }) {
  const total = money(payment.total);
  if (payment.status === "DECLINED") {
    return (
      <p className="banner alert" role="alert">
        Your payment of {total} was declined:{" "}
        {(payment.declineReason ?? "no reason given").replace(/\.$/, "")}. Nothing was charged.
      </p>
    );
  }
  return (
    <p className="banner ok" role="status">
      {payment.status === "POSTED"
        ? `Thank you: ${total} is posted to your account` +
          (payment.confirmationNumber ? ` (confirmation ${payment.confirmationNumber}).` : ".")
        : `Thank you: ${total} is on its way to your account.`}
    </p>
  );
}
