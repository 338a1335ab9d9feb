import { type FormEvent, useId, useState } from "react";
import { useMutation } from "urql";

import { graphql } from "../gql";
import type { NotificationContactKind } from "../gql/graphql";
import { messageOf } from "../shared/answers";
import { type Outcome, OutcomeNotice } from "../shared/Notice";

const AddContactMutation = graphql(`
  mutation PortalAddContact($input: AddContactInput!) {
    addContact(input: $input) {
      ... on ContactAdded {
        codeExpiresInMinutes
        contact {
          id
          value
        }
      }
      ... on ContactAlreadyAdded {
        message
      }
      ... on ValidationError {
        field
        message
      }
      ... on CodesThrottled {
        message
      }
    }
  }
`);

const ActivateContactMutation = graphql(`
  mutation PortalActivateContact($input: ActivateContactInput!) {
    activateContact(input: $input) {
      ... on ContactActivated {
        contact {
          id
          activated
        }
      }
      ... on ContactNotFound {
        message
      }
      ... on ActivationCodeInvalid {
        message
      }
      ... on ActivationThrottled {
        message
      }
    }
  }
`);

const RemoveContactMutation = graphql(`
  mutation PortalRemoveContact($input: RemoveContactInput!) {
    removeContact(input: $input) {
      ... on ContactRemoved {
        contactId
      }
      ... on ContactNotFound {
        message
      }
      ... on LoginContactNotRemovable {
        message
      }
    }
  }
`);

const SendTestMutation = graphql(`
  mutation PortalSendTestNotification($input: SendTestNotificationInput!) {
    sendTestNotification(input: $input) {
      ... on TestNotificationQueued {
        notification {
          id
          status
        }
      }
      ... on ContactNotFound {
        message
      }
      ... on ContactNotActivated {
        message
      }
    }
  }
`);

export type Contact = {
  id: string;
  kind: NotificationContactKind;
  value: string;
  activated: boolean;
  isLogin: boolean;
  consentText?: string | null;
};


/** The addresses and numbers the member may be notified at: added, activated with the
 * code sent to each, tried with a test message, removed. */
export function Contacts({ contacts, changed }: { contacts: Contact[]; changed: () => void }) {
  const [{ fetching: adding }, add] = useMutation(AddContactMutation);
  const [, remove] = useMutation(RemoveContactMutation);
  const [, sendTest] = useMutation(SendTestMutation);
  const [said, setSaid] = useState<Outcome | null>(null);
  const [kind, setKind] = useState<NotificationContactKind>("EMAIL");
  const kindId = useId();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const value = String(new FormData(form).get("value") ?? "").trim();
    const answer = await add({ input: { kind, value } });
    const result = answer.data?.addContact;
    if (result?.__typename === "ContactAdded") {
      form.reset();
      setSaid({
        done: true,
        message:
          `A code is on its way to ${result.contact.value}.` +
          ` Enter it below within ${result.codeExpiresInMinutes} minutes.`,
      });
      changed();
    } else {
      setSaid({ done: false, message: messageOf(result) });
    }
  };

  const report = (outcome: Outcome) => {
    setSaid(outcome);
    changed();
  };
  const act = async (action: () => Promise<Outcome>) => report(await action());

  return (
    <section className="card" aria-labelledby="contacts-heading">
      <h2 id="contacts-heading">Contacts</h2>
      <p className="muted">
        Add the email addresses and mobile numbers you want to be told at, then activate each
        with the code sent to it.
      </p>
      <OutcomeNotice outcome={said} />
      <ul className="list contacts">
        {contacts.map((contact) => (
          <li key={contact.id} className="contact">
            <div>
              <strong className="wrap-anywhere">{contact.value}</strong>{" "}
              <span className="muted">{contact.kind === "SMS" ? "Text" : "Email"}</span>{" "}
              {contact.activated ? (
                <span className="badge ok">Active</span>
              ) : (
                <span className="badge warn">Waiting for its code</span>
              )}
            </div>
            {!contact.activated && (
              <ActivationForm contact={contact} activated={report} />
            )}
            <div className="toolbar">
              {contact.activated && (
                <button
                  type="button"
                  onClick={() =>
                    void act(async () => {
                      const answer = await sendTest({ input: { contactId: contact.id } });
                      const result = answer.data?.sendTestNotification;
                      return result?.__typename === "TestNotificationQueued"
                        ? { done: true, message: `A test is on its way to ${contact.value}.` }
                        : { done: false, message: messageOf(result) };
                    })
                  }
                >
                  Send a test
                  <span className="visually-hidden"> to {contact.value}</span>
                </button>
              )}
              {!contact.isLogin && (
                <button
                  type="button"
                  onClick={() =>
                    void act(async () => {
                      const answer = await remove({ input: { contactId: contact.id } });
                      const result = answer.data?.removeContact;
                      return result?.__typename === "ContactRemoved"
                        ? { done: true, message: `${contact.value} is removed.` }
                        : { done: false, message: messageOf(result) };
                    })
                  }
                >
                  Remove
                  <span className="visually-hidden"> {contact.value}</span>
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      <form className="pay-form" onSubmit={(event) => void submit(event)}>
        <h3>Add a contact</h3>
        <div className="fields">
          <div className="field">
            <label htmlFor={kindId}>Kind</label>
            <select
              id={kindId}
              value={kind}
              onChange={(event) => setKind(event.target.value as NotificationContactKind)}
            >
              <option value="EMAIL">Email</option>
              <option value="SMS">Text message</option>
            </select>
          </div>
          <label>
            {kind === "SMS" ? "Mobile number" : "Email address"}
            <input
              name="value"
              type={kind === "SMS" ? "tel" : "email"}
              autoComplete={kind === "SMS" ? "tel" : "email"}
              required
            />
          </label>
        </div>
        <button type="submit" className="primary" disabled={adding}>
          Add and send a code
        </button>
      </form>
    </section>
  );
}

/** The code box of a contact waiting for its code; for a number, with the words the
 * member consents to texts by (the co-op records them with the code). */
function ActivationForm({
  contact,
  activated,
}: {
  contact: Contact;
  activated: (outcome: Outcome) => void;
}) {
  const [{ fetching }, activate] = useMutation(ActivateContactMutation);
  const consentId = useId();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get("code") ?? "").trim();
    const answer = await activate({ input: { contactId: contact.id, code } });
    const result = answer.data?.activateContact;
    activated(
      result?.__typename === "ContactActivated"
        ? { done: true, message: `${contact.value} is active.` }
        : { done: false, message: messageOf(result) },
    );
  };

  return (
    <form className="toolbar" onSubmit={(event) => void submit(event)}>
      <label>
        Code sent to {contact.value}
        <input
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          required
          aria-describedby={contact.consentText ? consentId : undefined}
        />
      </label>
      <button type="submit" disabled={fetching}>
        Activate
      </button>
      {contact.consentText && (
        <p id={consentId} className="hint">
          {contact.consentText}
        </p>
      )}
    </form>
  );
}
