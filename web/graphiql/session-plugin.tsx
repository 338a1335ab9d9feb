import type { GraphiQLPlugin } from "@graphiql/react";
import type { Fetcher } from "@graphiql/toolkit";
import { type FormEvent, useState, useSyncExternalStore } from "react";

import { isRecord } from "./config";
import type { SessionStore } from "./session";
import "./session-plugin.css";

const LOGIN = `mutation SignIn($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    __typename
    ... on LoginSuccess { accessToken expiresAt }
    ... on LoginFailed { message }
    ... on LoginThrottled { message }
    ... on EmailNotConfirmed { message }
    ... on ValidationError { message }
  }
}`;

/**
 * The "Sign in" pane: whether this page holds a session, a form that calls `login`,
 * and a button that forgets the token. Running a `login` tab signs in just the same.
 */
export function sessionPlugin(session: SessionStore, fetcher: Fetcher): GraphiQLPlugin {
  function SessionPane() {
    const current = useSyncExternalStore(session.subscribe, session.get);
    return (
      <section className="session-pane" aria-label="Sign in">
        <div className="graphiql-doc-explorer-title">Sign in</div>
        {current === null ? (
          <SignInForm />
        ) : (
          <>
            <p className="session-state" data-testid="session-state">
              Signed in. Every request from this page sends the access token as an{" "}
              <code>Authorization: Bearer</code> header
              {current.expiresAt === null ? "" : `, until ${current.expiresAt}`}.
            </p>
            <button type="button" className="session-button" onClick={() => session.forget()}>
              Forget the token
            </button>
          </>
        )}
        <p className="session-note">
          The token stays in this page's memory only: no cookie, no storage. Reloading the
          page signs out.
        </p>
      </section>
    );
  }

  function SignInForm() {
    const [email, setEmail] = useState("");
    const [password, setPassword] = useState("");
    const [problem, setProblem] = useState<string | null>(null);

    async function signIn(event: FormEvent<HTMLFormElement>) {
      event.preventDefault();
      setProblem(null);
      try {
        const answer: unknown = await fetcher({
          query: LOGIN,
          variables: { email, password },
          operationName: "SignIn",
        });
        setProblem(session.get() === null ? refusal(answer) : null);
      } catch (error) {
        setProblem(error instanceof Error ? error.message : String(error));
      }
    }

    return (
      <form className="session-form" onSubmit={signIn}>
        <p className="session-state" data-testid="session-state">
          Not signed in. Run a <code>login</code> mutation, or sign in here.
        </p>
        <label>
          Email
          <input
            type="email"
            autoComplete="username"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
          />
        </label>
        <button type="submit" className="session-button">
          Sign in
        </button>
        {problem === null ? null : (
          <p className="session-problem" role="alert">
            {problem}
          </p>
        )}
      </form>
    );
  }

  return { title: "Sign in", icon: KeyIcon, content: SessionPane };
}

/** Why a `login` answer signed nobody in, in the words of the API. */
function refusal(answer: unknown): string {
  if (isRecord(answer) && isRecord(answer.data) && isRecord(answer.data.login)) {
    const login = answer.data.login;
    if (typeof login.message === "string") {
      return login.message;
    }
  }
  return "The sign-in did not succeed; run the login mutation to see the whole answer.";
}

function KeyIcon() {
  return (
    <svg viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true" className="session-icon">
      <circle cx="8" cy="12" r="4" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <path d="M12 12h9m-3 0v3m-3-3v2" fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
