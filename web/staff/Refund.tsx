import { type FormEvent, useId, useState } from "react";
import { useMutation } from "urql";

import { graphql } from "../gql";
import { money } from "../shared/format";

const RefundPayment = graphql(`
  mutation StaffRefundPayment($input: RefundPaymentInput!) {
    refundPayment(input: $input) {
      ... on RefundRequested {
        alreadyRequested
        payment {
          id
          status
          total
        }
      }
      ... on RefundNotPossible {
        reason
      }
      ... on ValidationError {
        field
        message
      }
    }
  }
`);

type Payment = { id: string; total: string; method: { label: string } };

/** An administrator refunds a payment in full, with the reason the payment's history
 * and the audit log keep. The gateway refuses anyone else. */
export function Refund({
  payment,
  onRequested,
  onCancel,
}: {
  payment: Payment;
  onRequested: (message: string) => void;
  onCancel: () => void;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const [{ fetching }, refund] = useMutation(RefundPayment);
  const reasonId = useId();
  const amount = money(payment.total);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const reason = String(new FormData(event.currentTarget).get("reason") ?? "");
    const result = await refund({ input: { paymentId: payment.id, reason } });
    const outcome = result.data?.refundPayment;
    if (outcome?.__typename === "RefundRequested") {
      onRequested(
        outcome.alreadyRequested
          ? `A refund of ${amount} was already requested.`
          : `Refund of ${amount} requested: it shows as Refunded once carried out.`,
      );
    } else if (outcome?.__typename === "RefundNotPossible") {
      setProblem(`This payment cannot be refunded: ${outcome.reason}`);
    } else if (outcome?.__typename === "ValidationError") {
      setProblem(`${outcome.message} (${outcome.field})`);
    } else {
      setProblem(result.error?.graphQLErrors[0]?.message ?? "The refund could not be requested.");
    }
  };

  return (
    <form className="pay-form" onSubmit={(event) => void submit(event)}>
      <h3>
        Refund {amount} paid with {payment.method.label}
      </h3>
      {problem && (
        <p className="problem" role="alert">
          {problem}
        </p>
      )}
      <div className="field">
        <label htmlFor={reasonId}>Reason for the refund</label>
        <input id={reasonId} name="reason" required maxLength={300} />
      </div>
      <div className="toolbar">
        <button type="submit" className="primary" disabled={fetching}>
          Refund {amount}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
