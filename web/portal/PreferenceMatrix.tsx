import { type FormEvent, useState } from "react";
import { useMutation } from "urql";

import { graphql } from "../gql";
import type {
  NotificationType,
  OutageNewsPhase,
  SetNotificationPreferenceInput,
} from "../gql/graphql";
import { messageOf } from "../shared/answers";
import { Problem } from "../shared/Notice";
import { ScrollingTable } from "../shared/ScrollingTable";
import type { Contact } from "./Contacts";
import { PHASE_NAMES, TYPE_NAMES } from "./notificationTypes";

const SetPreferenceMutation = graphql(`
  mutation PortalSetNotificationPreference($input: SetNotificationPreferenceInput!) {
    setNotificationPreference(input: $input) {
      ... on NotificationPreferenceSet {
        accountNumber
        preference {
          type
          enabled
        }
      }
      ... on ValidationError {
        field
        message
      }
      ... on AccountNotFound {
        message
      }
    }
  }
`);

type Preference = {
  type: NotificationType;
  enabled: boolean;
  isDefault: boolean;
  contacts: { id: string }[];
  daysBefore?: number | null;
  lowBalanceAmount?: string | null;
  lowBalanceDays?: number | null;
  outagePhases?: OutageNewsPhase[] | null;
  highUsageKwhPerDay?: number | null;
  highUsageAmount?: string | null;
};

type Change = Omit<SetNotificationPreferenceInput, "accountNumber" | "type">;

/** Each kind of notification against each activated contact, for this account: on or
 * off, where it goes, and the kind's own settings. Every change is saved at once. */
export function PreferenceMatrix({
  number,
  preferences,
  contacts,
  changed,
}: {
  number: string;
  preferences: Preference[];
  contacts: Contact[];
  changed: () => void;
}) {
  const [{ fetching }, setPreference] = useMutation(SetPreferenceMutation);
  const [problem, setProblem] = useState<string | null>(null);

  const save = async (preference: Preference, change: Change) => {
    const answer = await setPreference({
      input: { accountNumber: number, type: preference.type, ...change },
    });
    const result = answer.data?.setNotificationPreference;
    setProblem(
      result?.__typename === "NotificationPreferenceSet"
        ? null
        : `${TYPE_NAMES[preference.type]}: ${messageOf(result)}`,
    );
    changed();
  };
  const toggleContact = (preference: Preference, contactId: string, on: boolean) => {
    const chosen = preference.contacts.map((contact) => contact.id);
    const contactIds = on
      ? [...chosen, contactId]
      : chosen.filter((id) => id !== contactId);
    void save(preference, { contactIds });
  };

  return (
    <section className="card" aria-labelledby="matrix-heading">
      <h2 id="matrix-heading">What you are told about account {number}</h2>
      {problem !== null && <Problem>{problem}</Problem>}
      <ScrollingTable label="Notifications and where they go">
        <table>
          <thead>
            <tr>
              <th scope="col">Notification</th>
              <th scope="col">On</th>
              {contacts.map((contact) => (
                <th key={contact.id} scope="col" className="contact-column">
                  {contact.value}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preferences.map((preference) => {
              const name = TYPE_NAMES[preference.type];
              return (
                <tr key={preference.type}>
                  <th scope="row">{name}</th>
                  <td>
                    <input
                      type="checkbox"
                      className="tick"
                      aria-label={`${name}: on`}
                      checked={preference.enabled}
                      disabled={fetching}
                      onChange={(event) =>
                        void save(preference, { enabled: event.target.checked })
                      }
                    />
                  </td>
                  {contacts.map((contact) => (
                    <td key={contact.id}>
                      <input
                        type="checkbox"
                        className="tick"
                        aria-label={`${name} to ${contact.value}`}
                        checked={preference.contacts.some((chosen) => chosen.id === contact.id)}
                        disabled={fetching || !preference.enabled}
                        onChange={(event) =>
                          toggleContact(preference, contact.id, event.target.checked)
                        }
                      />
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollingTable>
      <h3>Settings</h3>
      <div className="grid">
        {preferences.map((preference) => (
          <TypeSettings
            key={`${preference.type}-${settingsKey(preference)}`}
            preference={preference}
            save={(change) => save(preference, change)}
          />
        ))}
      </div>
    </section>
  );
}

function settingsKey(preference: Preference): string {
  return JSON.stringify([
    preference.daysBefore,
    preference.lowBalanceAmount,
    preference.lowBalanceDays,
    preference.outagePhases,
    preference.highUsageKwhPerDay,
    preference.highUsageAmount,
  ]);
}

/** The settings a kind of notification has (days ahead, thresholds, outage news), or
 * nothing for a kind without any. */
function TypeSettings({
  preference,
  save,
}: {
  preference: Preference;
  save: (change: Change) => Promise<void>;
}) {
  const name = TYPE_NAMES[preference.type];
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = String(form.get("value") ?? "").trim();
    const measure = String(form.get("measure") ?? "");
    const change: Change =
      preference.type === "OUTAGE"
        ? { outagePhases: form.getAll("phase").map((phase) => String(phase) as OutageNewsPhase) }
        : measure === "kwh"
          ? { highUsageKwhPerDay: Number(value) }
          : measure === "usage-dollars"
            ? { highUsageAmount: value }
            : measure === "credit-dollars"
              ? { lowBalanceAmount: value }
              : measure === "credit-days"
                ? { lowBalanceDays: Number(value) }
                : { daysBefore: Number(value) };
    void save(change);
  };

  let fields;
  switch (preference.type) {
    case "PAYMENT_DUE":
    case "AUTOPAY_UPCOMING":
      fields = (
        <label>
          Days before
          <input
            name="value"
            type="number"
            min={1}
            max={10}
            defaultValue={preference.daysBefore ?? 3}
            required
          />
        </label>
      );
      break;
    case "HIGH_USAGE":
      fields = (
        <Threshold
          label="When a day's use is over"
          measures={[
            ["kwh", "kWh", preference.highUsageKwhPerDay],
            ["usage-dollars", "dollars", preference.highUsageAmount],
          ]}
        />
      );
      break;
    case "PREPAY_LOW_BALANCE":
      fields = (
        <Threshold
          label="When the credit left is under"
          measures={[
            ["credit-dollars", "dollars", preference.lowBalanceAmount],
            ["credit-days", "days", preference.lowBalanceDays],
          ]}
        />
      );
      break;
    case "OUTAGE":
      fields = (
        <fieldset className="plain">
          <legend>Tell me</legend>
          {(Object.keys(PHASE_NAMES) as OutageNewsPhase[]).map((phase) => (
            <label key={phase} className="choice">
              <input
                type="checkbox"
                name="phase"
                value={phase}
                defaultChecked={preference.outagePhases?.includes(phase) ?? false}
              />
              {PHASE_NAMES[phase]}
            </label>
          ))}
        </fieldset>
      );
      break;
    default:
      return null;
  }
  return (
    <form className="stack settings" aria-label={`${name} settings`} onSubmit={submit}>
      <h4>{name}</h4>
      {fields}
      <button type="submit">Save {name.toLowerCase()} settings</button>
    </form>
  );
}

/** One of two measures and its amount: the API takes either, not both. */
function Threshold({
  label,
  measures,
}: {
  label: string;
  measures: [string, string, string | number | null | undefined][];
}) {
  const current = measures.find(([, , value]) => value !== null && value !== undefined);
  const [measure, setMeasure] = useState(current?.[0] ?? measures[0]?.[0] ?? "");
  return (
    <fieldset className="plain">
      <legend>{label}</legend>
      <div className="fields">
        <label>
          Amount
          <input
            name="value"
            type="number"
            min={0}
            step="any"
            defaultValue={current?.[2] ?? ""}
            required
          />
        </label>
        <label>
          Measured in
          <select
            name="measure"
            value={measure}
            onChange={(event) => setMeasure(event.target.value)}
          >
            {measures.map(([key, unit]) => (
              <option key={key} value={key}>
                {unit}
              </option>
            ))}
          </select>
        </label>
      </div>
    </fieldset>
  );
}
