import { type FormEvent, useState } from "react";

import { messageOf } from "../shared/answers";
import { CardPage } from "../shared/CardPage";
import { Done, Problem } from "../shared/Notice";
import { BackToSignIn, type Go } from "./SignedOut";

type Answer = { __typename: "CheckYourEmail"; message: string } | { __typename: string };

/** One email address asked for, and the co-op's answer: a link is in the mail if the
 * address has a login (the answer is the same either way). */
export function AskByEmail({
  title,
  intro,
  action,
  send,
  go,
}: {
  title: string;
  intro: string;
  action: string;
  send: (email: string) => Promise<Answer | undefined>;
  go: Go;
}) {
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get("email") ?? "").trim();
    setSending(true);
    const answer = await send(email);
    setSending(false);
    if (answer?.__typename === "CheckYourEmail") {
      setProblem(null);
      setSent(messageOf(answer));
    } else {
      setProblem(messageOf(answer));
    }
  };

  return (
    <CardPage title={title} after={<BackToSignIn go={go} />}>
      {sent !== null ? (
        <Done>{sent}</Done>
      ) : (
        <form className="stack" onSubmit={(event) => void submit(event)}>
          <p>{intro}</p>
          <label>
            Email
            <input
              name="email"
              type="email"
              autoComplete="email"
              required
              aria-invalid={problem !== null || undefined}
            />
          </label>
          {problem !== null && <Problem>{problem}</Problem>}
          <button type="submit" className="primary" disabled={sending}>
            {action}
          </button>
        </form>
      )}
    </CardPage>
  );
}
