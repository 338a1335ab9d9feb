import { type FormEvent, useCallback, useEffect, useState } from "react";
import { useMutation, useQuery } from "urql";

import { graphql } from "../gql";
import { money } from "../shared/format";
import { PaymentsTable } from "../shared/PaymentsTable";
import { usePolling } from "../shared/usePolling";
import { Autopay } from "./Autopay";
import { BankAccountFields, CardFields } from "./NewMethodFields";
import { tokenizeBankAccount, tokenizeCard, useProcessor } from "./processor";

const PaymentQuery = graphql(`
  query PortalPayment($number: String!) {
    viewer {
      paymentMethods {
        id
        kind
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

type Kind = "CARD" | "BANK_ACCOUNT";
// What pays: a new card's or bank account's single-use token, or a method saved in the
// wallet.
type Source =
  | { token: string; label: string; kind: Kind; save: boolean }
  | { savedMethodId: string; label: string; kind: Kind };
type Review = { amount: string; fee: string; total: string; source: Source; key: string };
const NEW_CARD = "new";
const NEW_BANK_ACCOUNT = "new-bank-account";
const FEE_NAMES = { CARD: "Card fee", BANK_ACCOUNT: "E-check fee" } as const;
const METHOD_NAMES = { CARD: "card", BANK_ACCOUNT: "bank account" } as const;

type Fee = { flatFee: string; percentFee: string };

/** The fee for `amount` from the co-op's rule: flat plus a percent, to the cent. */
function fee(amount: number, rule: Fee): number {
  return Math.round((Number(rule.flatFee) + (amount * Number(rule.percentFee)) / 100) * 100) / 100;
}

/** "a fee of $1.50 plus 2.5%", or "no fee". */
function feeText(rule: Fee): string {
  if (Number(rule.flatFee) === 0 && Number(rule.percentFee) === 0) {
    return "no fee";
  }
  return `a fee of ${money(rule.flatFee)}${Number(rule.percentFee) > 0 ? ` plus ${rule.percentFee}%` : ""}`;
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
  const rules = {
    CARD: options?.methods.find((method) => method.kind === "CARD"),
    BANK_ACCOUNT: options?.methods.find((method) => method.kind === "BANK_ACCOUNT"),
  };
  const payments = account.payments?.edges.map((edge) => edge.node) ?? [];
  const latest = payments.find((payment) => payment.id === made);
  const saved = (data?.viewer?.paymentMethods ?? []).filter(
    (method) => !method.expired && rules[method.kind] !== undefined,
  );
  const choices = [
    ...saved,
    ...(rules.CARD ? [{ id: NEW_CARD, label: "A new card", kind: "CARD" as const }] : []),
    ...(rules.BANK_ACCOUNT
      ? [{ id: NEW_BANK_ACCOUNT, label: "A bank account (e-check)", kind: "BANK_ACCOUNT" as const }]
      : []),
  ];
  const chosen =
    choices.find((choice) => choice.id === paidWith) ??
    saved.find((method) => method.isDefault) ??
    choices[0];

  const prepare = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblem(null);
    setDuplicate(null);
    setMade(null);
    const rule = chosen ? rules[chosen.kind] : undefined;
    if (!processor || !chosen || !rule) {
      return;
    }
    const form = new FormData(event.currentTarget);
    const amount = Number(form.get("amount"));
    try {
      let source: Source;
      if (chosen.id === NEW_CARD || chosen.id === NEW_BANK_ACCOUNT) {
        const token =
          chosen.kind === "CARD"
            ? await tokenizeCard(processor, form)
            : await tokenizeBankAccount(processor, form);
        source = { ...token, token: token.id, kind: chosen.kind, save: form.get("save") === "on" };
      } else {
        source = { savedMethodId: chosen.id, label: chosen.label, kind: chosen.kind };
      }
      const charged = fee(amount, rule);
      setReview({
        amount: amount.toFixed(2),
        fee: charged.toFixed(2),
        total: (amount + charged).toFixed(2),
        source,
        key: crypto.randomUUID(),
      });
    } catch (error) {
      setProblem(
        error instanceof Error ? error.message : `The ${METHOD_NAMES[chosen.kind]} was not accepted.`,
      );
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
      setProblem(`The ${METHOD_NAMES[review.source.kind]} was declined: ${result.reason}`);
      setReview(null);
    } else if (result?.__typename === "ValidationError") {
      setProblem(`${result.message} (${result.field})`);
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
        {processor && options && chosen && review === null && (
          <form className="pay-form" onSubmit={(event) => void prepare(event)}>
            <p>
              Amount due {money(options.amountDue)}.
              {rules.CARD && ` Card payments carry ${feeText(rules.CARD)}.`}
              {rules.BANK_ACCOUNT && ` E-checks carry ${feeText(rules.BANK_ACCOUNT)}.`}
            </p>
            {choices.length > 1 && (
              <fieldset className="methods">
                <legend>Pay with</legend>
                {choices.map((method) => (
                  <label key={method.id} className="choice">
                    <input
                      type="radio"
                      name="method"
                      value={method.id}
                      checked={chosen.id === method.id}
                      onChange={() => setPaidWith(method.id)}
                    />
                    {method.label}
                  </label>
                ))}
              </fieldset>
            )}
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
            {chosen.id === NEW_CARD && <CardFields />}
            {chosen.id === NEW_BANK_ACCOUNT && <BankAccountFields />}
            {(chosen.id === NEW_CARD || chosen.id === NEW_BANK_ACCOUNT) && (
              <label className="choice">
                <input type="checkbox" name="save" />
                Save this {METHOD_NAMES[chosen.kind]} for next time
              </label>
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
              <dt>{FEE_NAMES[review.source.kind]}</dt>
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
          <PaymentsTable label="Payment history" payments={payments} />
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
