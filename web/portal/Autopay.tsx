import { type FormEvent, useId, useState } from "react";
import { useMutation, useQuery } from "urql";

import { graphql } from "../gql";
import { date, money } from "../shared/format";

const AutopayQuery = graphql(`
  query PortalAutopay($number: String!) {
    viewer {
      paymentMethods {
        id
        label
        expired
      }
    }
    account(number: $number) {
      ... on Account {
        number
        autopay {
          status
          draftRule
          dayOfMonth
          daysBeforeDue
          nextDraftDate
          nextDraftAmount
          skippedReason
          method {
            label
          }
        }
      }
    }
  }
`);

const EnrollAutopay = graphql(`
  mutation PortalEnrollAutopay($input: EnrollAutopayInput!) {
    enrollAutopay(input: $input) {
      ... on AutopayEnrolled {
        autopay {
          status
        }
      }
      ... on AlreadyEnrolledInAutopay {
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

// The draft days autopay accepts: every month has them.
const DAYS = Array.from({ length: 28 }, (_, index) => index + 1);

/** The account's autopay: what it drafts and when, or a form to turn it on. */
export function Autopay({ number }: { number: string }) {
  const [{ data }, reload] = useQuery({
    query: AutopayQuery,
    variables: { number },
    requestPolicy: "cache-and-network",
  });
  const [{ fetching }, enroll] = useMutation(EnrollAutopay);
  const [problem, setProblem] = useState<string | null>(null);
  const methodId = useId();
  const dayId = useId();
  const account = data?.account;
  if (account?.__typename !== "Account") {
    return null;
  }
  const autopay = account.autopay;
  const methods = (data?.viewer?.paymentMethods ?? []).filter((method) => !method.expired);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const answer = await enroll({
      input: {
        accountNumber: account.number,
        paymentMethodId: String(form.get("method")),
        draft: { rule: "DAY_OF_MONTH", dayOfMonth: Number(form.get("day")) },
      },
    });
    const result = answer.data?.enrollAutopay;
    if (result?.__typename === "AutopayEnrolled") {
      setProblem(null);
      reload({ requestPolicy: "network-only" });
    } else if (result !== undefined && "message" in result) {
      setProblem(result.message);
    } else {
      setProblem("Autopay could not be turned on. Please try again in a moment.");
    }
  };

  return (
    <section className="card" aria-labelledby="autopay-heading">
      <h2 id="autopay-heading">Autopay</h2>
      {problem && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
      {autopay?.status === "ACTIVE" ? (
        <dl className="facts">
          <dt>Status</dt>
          <dd>
            <span className="badge ok">Autopay is on</span>
          </dd>
          <dt>Pays with</dt>
          <dd>{autopay.method?.label ?? "A method no longer in your wallet"}</dd>
          <dt>Drafts</dt>
          <dd>
            {autopay.draftRule === "DAY_OF_MONTH"
              ? `On day ${autopay.dayOfMonth} of the month, by the due date`
              : autopay.draftRule === "DAYS_BEFORE_DUE"
                ? `${autopay.daysBeforeDue} days before the due date`
                : "On the due date"}
          </dd>
          <dt>Next draft</dt>
          <dd>
            {autopay.nextDraftDate
              ? `${date(autopay.nextDraftDate)}${
                  autopay.nextDraftAmount ? `, ${money(autopay.nextDraftAmount)}` : ""
                }`
              : (autopay.skippedReason ?? "Nothing to draft now")}
          </dd>
        </dl>
      ) : methods.length === 0 ? (
        <p className="muted">Save a card when you pay to have your bills paid automatically.</p>
      ) : (
        <form className="pay-form" onSubmit={(event) => void submit(event)}>
          <p>Have each bill paid automatically from a saved card, on the day you choose.</p>
          <div className="fields">
            <div className="field">
              <label htmlFor={methodId}>Pay with</label>
              <select id={methodId} name="method">
                {methods.map((method) => (
                  <option key={method.id} value={method.id}>
                    {method.label}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={dayId}>Draft day of the month</label>
              <select id={dayId} name="day" defaultValue="10">
                {DAYS.map((day) => (
                  <option key={day} value={day}>
                    {day}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <button type="submit" className="primary" disabled={fetching}>
            Turn on autopay
          </button>
        </form>
      )}
    </section>
  );
}
