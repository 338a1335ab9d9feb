import { type FormEvent, useState } from "react";
import { useMutation } from "urql";

import { graphql } from "../gql";
import { messageOf } from "../shared/answers";
import { CardPage } from "../shared/CardPage";
import { Done, Problem } from "../shared/Notice";
import { NewPasswordInput } from "../shared/PasswordInput";
import { AskByEmail } from "./AskByEmail";
import { BackToSignIn, type Go } from "./SignedOut";

const RequestPasswordResetMutation = graphql(`
  mutation PortalRequestPasswordReset($input: RequestPasswordResetInput!) {
    requestPasswordReset(input: $input) {
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

const ResetPasswordMutation = graphql(`
  mutation PortalResetPassword($input: ResetPasswordInput!) {
    resetPassword(input: $input) {
      ... on PasswordChanged {
        signedOutSessions
      }
      ... on TokenInvalid {
        message
      }
      ... on ValidationError {
        field
        message
      }
    }
  }
`);

/** "Forgot your password?": a link to choose a new one, by email. */
export default function ForgotPassword({ go }: { go: Go }) {
  const [, request] = useMutation(RequestPasswordResetMutation);
  return (
    <AskByEmail
      title="Reset your password"
      intro="Give your login's email address; a link to choose a new password goes to it."
      action="Email me a link"
      send={async (email) => (await request({ input: { email } })).data?.requestPasswordReset}
      go={go}
    />
  );
}

/** Where the link in the reset email lands: the new password, chosen twice. */
export function ResetPassword({ token, go }: { token: string; go: Go }) {
  const [{ fetching }, reset] = useMutation(ResetPasswordMutation);
  const [problem, setProblem] = useState<{ message: string; expired: boolean } | null>(null);
  const [changed, setChanged] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const newPassword = String(form.get("newPassword") ?? "");
    if (newPassword !== String(form.get("again") ?? "")) {
      setProblem({ message: "The two passwords are not the same.", expired: false });
      return;
    }
    const answer = await reset({ input: { token, newPassword } });
    const result = answer.data?.resetPassword;
    if (result?.__typename === "PasswordChanged") {
      setChanged(true);
    } else {
      setProblem({
        message: messageOf(result),
        expired: result?.__typename === "TokenInvalid",
      });
    }
  };

  if (changed) {
    return (
      <CardPage title="Password changed" after={<BackToSignIn go={go} label="Sign in" />}>
        <Done>Your new password is set, and every device was signed out. Sign in with it.</Done>
      </CardPage>
    );
  }
  return (
    <CardPage title="Choose a new password" after={<BackToSignIn go={go} />}>
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <NewPasswordInput
          label="New password"
          name="newPassword"
          invalid={problem !== null && !problem.expired}
        />
        <label>
          New password again
          <input name="again" type="password" autoComplete="new-password" required />
        </label>
        {problem !== null && <Problem>{problem.message}</Problem>}
        {problem?.expired && (
          <button type="button" onClick={() => go({ page: "forgot-password" })}>
            Email me a new link
          </button>
        )}
        <button type="submit" className="primary" disabled={fetching}>
          Change password
        </button>
      </form>
    </CardPage>
  );
}
