import { useState } from "react";
import { useMutation } from "urql";

import { graphql } from "../gql";
import { messageOf } from "../shared/answers";
import { type Outcome, OutcomeNotice } from "../shared/Notice";

const AcceptInvitationMutation = graphql(`
  mutation PortalAcceptInvitation($input: AcceptInvitationInput!) {
    acceptInvitation(input: $input) {
      ... on InvitationAccepted {
        account {
          number
        }
      }
      ... on TokenInvalid {
        message
      }
    }
  }
`);

/** Where the link in an invitation to share an account lands, once signed in: the
 * member accepts it with a press (the gateway checks the invitation was to them). */
export default function AcceptInvitation({
  token,
  accepted,
}: {
  token: string;
  accepted: (accountNumber: string) => void;
}) {
  const [{ fetching }, accept] = useMutation(AcceptInvitationMutation);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const submit = async () => {
    const answer = await accept({ input: { token } });
    const result = answer.data?.acceptInvitation;
    if (result?.__typename === "InvitationAccepted") {
      setOutcome({ done: true, message: `Account ${result.account.number} is shared with you.` });
      accepted(result.account.number);
    } else {
      setOutcome({ done: false, message: messageOf(result) });
    }
  };

  return (
    <section className="card" aria-labelledby="invitation-heading">
      <h2 id="invitation-heading">An invitation to share an account</h2>
      <OutcomeNotice outcome={outcome} />
      {outcome === null && (
        <button type="button" className="primary" disabled={fetching} onClick={() => void submit()}>
          Accept the invitation
        </button>
      )}
    </section>
  );
}
