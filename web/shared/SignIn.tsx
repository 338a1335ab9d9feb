import { type FormEvent, useId, useState } from "react";
import { useMutation } from "urql";

import { graphql } from "../gql";
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

/** Email and password, for the member portal and the staff console alike. */
export function SignIn({ title, deviceName }: { title: string; deviceName: string }) {
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
    } else if (result !== undefined && "message" in result) {
      setProblem(result.message);
    } else {
      setProblem("Signing in did not work. Please try again in a moment.");
    }
  };

  return (
    <main className="sign-in">
      <form className="card sign-in-card" onSubmit={(event) => void submit(event)}>
        <h1>{title}</h1>
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
        {problem !== null && (
          <p id={problemId} className="problem" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" className="primary" disabled={fetching}>
          {fetching ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
