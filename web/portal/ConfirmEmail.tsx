import { useState } from "react";
import { useMutation } from "urql";

import { graphql } from "../gql";
import { messageOf } from "../shared/answers";
import { CardPage } from "../shared/CardPage";
import { Done, Problem } from "../shared/Notice";
import { AskByEmail } from "./AskByEmail";
import { BackToSignIn, type Go } from "./SignedOut";

const ConfirmEmailMutation = graphql(`
  mutation PortalConfirmEmail($input: ConfirmEmailInput!) {
    confirmEmail(input: $input) {
      ... on EmailConfirmed {
        email
        message
      }
      ... on TokenInvalid {
        message
      }
    }
  }
`);

const ResendConfirmationMutation = graphql(`
  mutation PortalResendConfirmation($input: ResendConfirmationInput!) {
    resendConfirmation(input: $input) {
      ... on CheckYourEmail {
        message
      }
      ... on ValidationError {
        field
        message
      }
    }
  }
`);

/**
 * Where the link in the confirmation email lands. Confirming takes a press of the
 * button rather than happening as the page opens: mail scanners that open links must
 * not use up the member's token.
 */
export default function ConfirmEmail({ token, go }: { token: string; go: Go }) {
  const [{ fetching }, confirm] = useMutation(ConfirmEmailMutation);
  const [outcome, setOutcome] = useState<{ confirmed: boolean; message: string } | null>(null);

  const submit = async () => {
    const answer = await confirm({ input: { token } });
    const result = answer.data?.confirmEmail;
    setOutcome(
      result?.__typename === "EmailConfirmed"
        ? { confirmed: true, message: `${result.email}: ${result.message}` }
        : { confirmed: false, message: messageOf(result) },
    );
  };

  if (outcome?.confirmed) {
    return (
      <CardPage title="Email confirmed" after={<BackToSignIn go={go} label="Sign in" />}>
        <Done>{outcome.message}</Done>
      </CardPage>
    );
  }
  return (
    <CardPage title="Confirm your email address" after={<BackToSignIn go={go} />}>
      {outcome !== null && (
        <>
          <Problem>{outcome.message}</Problem>
          <button type="button" onClick={() => go({ page: "resend-confirmation" })}>
            Send a new link
          </button>
        </>
      )}
      {outcome === null && (
        <>
          <p>Confirm the address this email came to, to finish setting up your login.</p>
          <button
            type="button"
            className="primary"
            disabled={fetching}
            onClick={() => void submit()}
          >
            Confirm my email address
          </button>
        </>
      )}
    </CardPage>
  );
}

/** A new confirmation link, for an address whose login is not confirmed yet. */
export function ResendConfirmation({ go }: { go: Go }) {
  const [, resend] = useMutation(ResendConfirmationMutation);
  return (
    <AskByEmail
      title="Send the confirmation email again"
      intro={
        "Give the address you registered with; a new link goes to it if its login is not" +
        " confirmed yet."
      }
      action="Send a new link"
      send={async (email) => (await resend({ input: { email } })).data?.resendConfirmation}
      go={go}
    />
  );
}
