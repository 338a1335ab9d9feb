import { type FormEvent, useState } from "react";
import { useMutation } from "urql";

import { graphql } from "../gql";
import { type Rejection, rejectionOf } from "../shared/answers";
import { Done, Problem } from "../shared/Notice";
import { NewPasswordInput } from "../shared/PasswordInput";

const ChangePasswordMutation = graphql(`
  mutation PortalChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input) {
      ... on PasswordChanged {
        signedOutSessions
      }
      ... on TooManyAttempts {
        message
      }
      ... on ValidationError {
        field
        message
      }
    }
  }
`);

/** A new password for the login; this device stays signed in, the others are not. */
export function ChangePassword() {
  const [{ fetching }, change] = useMutation(ChangePasswordMutation);
  const [problem, setProblem] = useState<Rejection | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const answer = await change({
      input: {
        currentPassword: String(new FormData(form).get("currentPassword") ?? ""),
        newPassword: String(new FormData(form).get("newPassword") ?? ""),
      },
    });
    const result = answer.data?.changePassword;
    if (result?.__typename === "PasswordChanged") {
      form.reset();
      setProblem(null);
      const others = result.signedOutSessions;
      const signedOut = others === 1 ? "1 other device was" : `${others} other devices were`;
      setDone(`Your password is changed${others > 0 ? `, and ${signedOut} signed out` : ""}.`);
    } else {
      setDone(null);
      setProblem(rejectionOf(result));
    }
  };

  return (
    <section className="card" aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      {done !== null && <Done>{done}</Done>}
      <form className="pay-form" onSubmit={(event) => void submit(event)}>
        <label>
          Current password
          <input
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            required
            aria-invalid={problem?.field === "currentPassword" || undefined}
          />
        </label>
        <NewPasswordInput
          label="New password"
          name="newPassword"
          invalid={problem?.field === "newPassword"}
        />
        {problem !== null && <Problem>{problem.message}</Problem>}
        <button type="submit" className="primary" disabled={fetching}>
          Change password
        </button>
      </form>
    </section>
  );
}
