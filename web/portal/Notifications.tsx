import { useCallback } from "react";
import { useQuery } from "urql";

import { graphql } from "../gql";
import { Problem } from "../shared/Notice";
import { usePolling } from "../shared/usePolling";
import { Contacts } from "./Contacts";
import { PreferenceMatrix } from "./PreferenceMatrix";
import { SentNotifications } from "./SentNotifications";

const NotificationsQuery = graphql(`
  query PortalNotifications($number: String!) {
    viewer {
      contacts {
        id
        kind
        value
        activated
        isLogin
        consentText
      }
      notifications(first: 20) {
        edges {
          node {
            id
            type
            channel
            recipient
            accountNumber
            subject
            status
            reason
            createdAt
          }
        }
      }
    }
    account(number: $number) {
      ... on Account {
        number
        notificationPreferences {
          type
          enabled
          isDefault
          contacts {
            id
          }
          daysBefore
          lowBalanceAmount
          lowBalanceDays
          outagePhases
          highUsageKwhPerDay
          highUsageAmount
        }
      }
      ... on AccountNotFound {
        message
      }
    }
  }
`);

/** "Manage notifications": where the member may be reached, what they are told about
 * the account and where, and what was sent. */
export default function Notifications({ number }: { number: string }) {
  const [{ data, fetching, error }, reload] = useQuery({
    query: NotificationsQuery,
    variables: { number },
    requestPolicy: "cache-and-network",
  });
  const refresh = useCallback(() => reload({ requestPolicy: "network-only" }), [reload]);
  const sent = data?.viewer?.notifications.edges.map((edge) => edge.node) ?? [];
  usePolling(
    sent.some((notification) => notification.status === "QUEUED"),
    refresh,
  );
  const account = data?.account;
  if (fetching && !data) {
    return <p aria-busy="true">Loading notifications…</p>;
  }
  if (data?.viewer === null || data?.viewer === undefined || account?.__typename !== "Account") {
    return (
      <Problem>
        {account?.__typename === "AccountNotFound"
          ? account.message
          : error
            ? "Notifications could not be loaded. Please try again in a moment."
            : "This account is not available."}
      </Problem>
    );
  }
  const contacts = data.viewer.contacts;
  return (
    <>
      <h1>Notifications</h1>
      <Contacts contacts={contacts} changed={refresh} />
      <PreferenceMatrix
        number={account.number}
        preferences={account.notificationPreferences ?? []}
        contacts={contacts.filter((contact) => contact.activated)}
        changed={refresh}
      />
      <SentNotifications sent={sent} />
    </>
  );
}
