import type { NotificationContactKind, NotificationStatus } from "../gql/graphql";
import { dateTime } from "../shared/format";
import { ScrollingTable } from "../shared/ScrollingTable";
import { STATUS_NAMES, sentTypeName } from "./notificationTypes";

type Sent = {
  id: string;
  type: string;
  channel: NotificationContactKind;
  recipient: string;
  accountNumber?: string | null;
  subject: string;
  status: NotificationStatus;
  reason?: string | null;
  createdAt: string;
};

// Why a notification was held back, in words (the API's reasons are codes).
const REASONS: Record<string, string> = {
  no_consent: "no consent to texts",
  contact_removed: "the contact was removed",
  preference_off: "turned off",
  quiet_hours: "waiting for the end of quiet hours",
};

/** What was sent to the member's contacts lately, newest first, with where each stands. */
export function SentNotifications({ sent }: { sent: Sent[] }) {
  return (
    <section className="card" aria-labelledby="sent-heading">
      <h2 id="sent-heading">Sent to you</h2>
      {sent.length === 0 ? (
        <p className="muted">Nothing sent yet.</p>
      ) : (
        <ScrollingTable label="Notifications sent">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">To</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {sent.map((notification) => (
                <tr key={notification.id}>
                  <td>{dateTime(notification.createdAt)}</td>
                  <td className="wrap">
                    {sentTypeName(notification.type)}
                    {notification.accountNumber ? ` · ${notification.accountNumber}` : ""}
                    <br />
                    <span className="muted">{notification.subject}</span>
                  </td>
                  <td>
                    {notification.channel === "SMS" ? "Text to " : ""}
                    {notification.recipient}
                  </td>
                  <td>
                    {STATUS_NAMES[notification.status]}
                    {notification.reason
                      ? ` (${REASONS[notification.reason] ?? notification.reason})`
                      : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollingTable>
      )}
    </section>
  );
}
