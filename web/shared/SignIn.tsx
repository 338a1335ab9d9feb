import { type FormEvent, type ReactNode, useId, useState } from "react";
import { useMutation } from "urql";

import { graphql } from "../gql";
import { messageOf } from "./answers";
import { CardPage } from "./CardPage";
import { Problem } from "./Notice";
import { useSession } from "./session";

const SignInMutation = graphql(`
  mutation SignIn($input: LoginInput!) {
    login(input: $input) {
      ... on LoginSuccess {
        accessToken
        expiresAt
        refreshToken
      }
      ... on LoginFailed {
        message
      }
      ... on LoginThrottled {
        message
      }
      ... on EmailNotConfirmed {
        message
      }
      ... on ValidationError {
        field
        message
      }
    }
  }
`);

/** Email and password, for the member portal and the staff console alike; `children`
 * go below the form (the portal's ways to register or reset a password). */
export function SignIn({
  title,
  deviceName,
  children,
}: {
  title: string;
  deviceName: string;
  children?: ReactNode;
}) {
  const { signIn } = useSession();
  const [{ fetching }, login] = useMutation(SignInMutation);
  const [problem, setProblem] = useState<string | null>(null);
  const problemId = useId();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const answer = await login({
      input: {
        email: String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
        deviceName,
      },
    });
    const result = answer.data?.login;
    if (result?.__typename === "LoginSuccess") {
      setProblem(null);
      signIn(result);
    } else {
      setProblem(messageOf(result, "Signing in did not work. Please try again in a moment."));
    }
  };

  return (
    <CardPage title={title} after={children}>
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <label>
          Email
          <input
            name="email"
            type="email"
            autoComplete="username"
            required
            aria-describedby={problem === null ? undefined : problemId}
          />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {problem !== null && <Problem id={problemId}>{problem}</Problem>}
        <button type="submit" className="primary" disabled={fetching}>
          {fetching ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </CardPage>
  );
}
