import { type FormEvent, useState } from "react";
import { useMutation } from "urql";

import { graphql } from "../gql";
import { type Rejection, rejectionOf } from "../shared/answers";
import { CardPage } from "../shared/CardPage";
import { Done, Problem } from "../shared/Notice";
import { NewPasswordInput } from "../shared/PasswordInput";
import { BackToSignIn, type Go } from "./SignedOut";

const RegisterMutation = graphql(`
  mutation PortalRegister($input: RegisterInput!) {
    register(input: $input) {
      ... on CheckYourEmail {
        message
      }
      ... on AccountProofFailed {
        message
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

type Proof = "name-and-zip" | "bill-amount";

/** "New user": a login for one account, proven by facts from its bill; the email that
 * follows holds the link that confirms the address. */
export default function Register({ go }: { go: Go }) {
  const [{ fetching }, register] = useMutation(RegisterMutation);
  const [proof, setProof] = useState<Proof>("name-and-zip");
  const [problem, setProblem] = useState<Rejection | null>(null);
  const [sent, setSent] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const answer = await register({
      input: {
        email: text("email"),
        password: String(form.get("password") ?? ""),
        accountNumber: text("accountNumber"),
        proof:
          proof === "name-and-zip"
            ? { lastName: text("lastName"), serviceZip: text("serviceZip") }
            : { lastBillAmount: text("lastBillAmount") },
      },
    });
    const result = answer.data?.register;
    if (result?.__typename === "CheckYourEmail") {
      setProblem(null);
      setSent(result.message);
    } else {
      setProblem(rejectionOf(result));
    }
  };
  const invalid = (field: string) => problem?.field === field || undefined;

  if (sent !== null) {
    return (
      <CardPage title="Check your email" after={<BackToSignIn go={go} />}>
        <Done>{sent}</Done>
        <p>Open the link in the email to confirm your address, then sign in.</p>
      </CardPage>
    );
  }
  return (
    <CardPage title="Register for the member portal" after={<BackToSignIn go={go} />}>
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <p>Your bill has what we need to know the account is yours.</p>
        <label>
          Account number
          <input
            name="accountNumber"
            inputMode="numeric"
            required
            aria-invalid={invalid("accountNumber")}
          />
        </label>
        <fieldset className="plain">
          <legend>Prove the account with</legend>
          <label className="choice">
            <input
              type="radio"
              name="proof"
              checked={proof === "name-and-zip"}
              onChange={() => setProof("name-and-zip")}
            />
            The last name and service ZIP code on the bill
          </label>
          <label className="choice">
            <input
              type="radio"
              name="proof"
              checked={proof === "bill-amount"}
              onChange={() => setProof("bill-amount")}
            />
            The amount of the latest bill
          </label>
          {proof === "name-and-zip" ? (
            <>
              <label>
                Last name (or business name)
                <input
                  name="lastName"
                  autoComplete="family-name"
                  required
                  aria-invalid={invalid("proof")}
                />
              </label>
              <label>
                Service ZIP code
                <input
                  name="serviceZip"
                  inputMode="numeric"
                  autoComplete="postal-code"
                  required
                  aria-invalid={invalid("proof")}
                />
              </label>
            </>
          ) : (
            <label>
              Latest bill amount (USD)
              <input
                name="lastBillAmount"
                type="number"
                step="0.01"
                min="0"
                inputMode="decimal"
                required
                aria-invalid={invalid("proof")}
              />
            </label>
          )}
        </fieldset>
        <label>
          Email
          <input
            name="email"
            type="email"
            autoComplete="email"
            required
            aria-invalid={invalid("email")}
          />
        </label>
        <NewPasswordInput label="Password" name="password" invalid={invalid("password") ?? false} />
        {problem !== null && <Problem>{problem.message}</Problem>}
        <button type="submit" className="primary" disabled={fetching}>
          {fetching ? "Registering…" : "Register"}
        </button>
      </form>
    </CardPage>
  );
}
