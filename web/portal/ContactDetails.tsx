import { type FormEvent, useId, useState } from "react";
import { useMutation, useQuery } from "urql";

import { graphql } from "../gql";
import { messageOf } from "../shared/answers";
import { Done, Problem } from "../shared/Notice";

const ContactDetailsQuery = graphql(`
  query PortalContactDetails($number: String!) {
    account(number: $number) {
      ... on Account {
        number
        customer {
          customerId
          email
          homePhone
          mobilePhone
          billingAddress {
            line1
            line2
            city
            state
            zip
          }
        }
      }
      ... on AccountNotFound {
        message
      }
    }
  }
`);

const UpdateContactDetailsMutation = graphql(`
  mutation PortalUpdateContactDetails($number: String!, $input: ContactDetailsInput!) {
    updateContactDetails(accountNumber: $number, input: $input) {
      ... on UpdateContactDetailsSuccess {
        accountNumber
        customer {
          customerId
          email
          homePhone
          mobilePhone
          billingAddress {
            line1
            line2
            city
            state
            zip
          }
        }
      }
      ... on AccountNotFound {
        message
      }
      ... on InvalidContactDetails {
        message
        errors {
          field
          message
        }
      }
    }
  }
`);

type Problems = { message: string; fields: Map<string, string> };

/** The phones, email and billing address the co-op's billing system has for the
 * account's customer: what the bills and the co-op's calls use. */
export function ContactDetails({ number }: { number: string }) {
  const [{ data, fetching }] = useQuery({ query: ContactDetailsQuery, variables: { number } });
  const [{ fetching: saving }, update] = useMutation(UpdateContactDetailsMutation);
  const [problems, setProblems] = useState<Problems | null>(null);
  const [saved, setSaved] = useState(false);
  const account = data?.account;
  if (fetching && !data) {
    return <p aria-busy="true">Loading your details…</p>;
  }
  if (account?.__typename !== "Account" || !account.customer) {
    return (
      <Problem>
        {account?.__typename === "AccountNotFound"
          ? account.message
          : "Your details could not be loaded. Please try again in a moment."}
      </Problem>
    );
  }
  const customer = account.customer;
  const address = customer.billingAddress;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const answer = await update({
      number,
      input: {
        homePhone: text("homePhone"),
        mobilePhone: text("mobilePhone"),
        email: text("email"),
        billingAddress: {
          line1: text("line1"),
          line2: text("line2") || null,
          city: text("city"),
          state: text("state").toUpperCase(),
          zip: text("zip"),
        },
      },
    });
    const result = answer.data?.updateContactDetails;
    if (result?.__typename === "UpdateContactDetailsSuccess") {
      setProblems(null);
      setSaved(true);
    } else {
      setSaved(false);
      const fields =
        result?.__typename === "InvalidContactDetails"
          ? new Map(result.errors.map((error) => [error.field, error.message]))
          : new Map<string, string>();
      setProblems({ message: messageOf(result), fields });
    }
  };
  const field = (name: string, label: string, value: string | null | undefined, more = {}) => (
    <FieldWithProblem
      name={name}
      label={label}
      value={value}
      problem={problems?.fields}
      {...more}
    />
  );
  const phone = { type: "tel", autoComplete: "tel" };

  return (
    <section className="card" aria-labelledby="details-heading">
      <h2 id="details-heading">Phones, email and billing address</h2>
      {saved && <Done>Your details are saved.</Done>}
      {problems !== null && <Problem>{problems.message}</Problem>}
      <form className="pay-form" onSubmit={(event) => void submit(event)}>
        <div className="fields">
          {field("mobilePhone", "Mobile phone", customer.mobilePhone, phone)}
          {field("homePhone", "Home phone", customer.homePhone, phone)}
        </div>
        {field("email", "Email for bills", customer.email, {
          type: "email",
          autoComplete: "email",
        })}
        <fieldset className="plain">
          <legend>Billing address</legend>
          {field("billingAddress.line1", "Street address", address.line1, {
            autoComplete: "address-line1",
            required: true,
          })}
          {field("billingAddress.line2", "Apartment, suite (optional)", address.line2, {
            autoComplete: "address-line2",
          })}
          <div className="fields">
            {field("billingAddress.city", "City", address.city, {
              autoComplete: "address-level2",
              required: true,
            })}
            {field("billingAddress.state", "State", address.state, {
              autoComplete: "address-level1",
              maxLength: 2,
              required: true,
            })}
            {field("billingAddress.zip", "ZIP code", address.zip, {
              autoComplete: "postal-code",
              required: true,
            })}
          </div>
        </fieldset>
        <button type="submit" className="primary" disabled={saving}>
          Save details
        </button>
      </form>
    </section>
  );
}

/** A text field that says beside it what was wrong with it (by its input path, as the
 * API names rejected fields); its form name is the path's last part. */
function FieldWithProblem({
  name,
  label,
  value,
  problem,
  ...input
}: {
  name: string;
  label: string;
  value: string | null | undefined;
  problem: Map<string, string> | undefined;
  type?: string;
  autoComplete?: string;
  maxLength?: number;
  required?: boolean;
}) {
  const said = problem?.get(name);
  const inputId = useId();
  const saidId = useId();
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        name={name.split(".").pop()}
        defaultValue={value ?? ""}
        aria-invalid={said !== undefined || undefined}
        aria-describedby={said !== undefined ? saidId : undefined}
        {...input}
      />
      {said !== undefined && (
        <span id={saidId} className="field-problem">
          {said}
        </span>
      )}
    </div>
  );
}
