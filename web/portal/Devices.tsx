import { useState } from "react";
import { useMutation, useQuery } from "urql";

import { graphql } from "../gql";
import { messageOf } from "../shared/answers";
import { dateTime } from "../shared/format";
import { type Outcome, OutcomeNotice } from "../shared/Notice";

const DevicesQuery = graphql(`
  query PortalDevices {
    viewer {
      sessions {
        id
        deviceName
        userAgent
        clientAddress
        createdAt
        lastUsedAt
        current
      }
    }
  }
`);

const RevokeSessionMutation = graphql(`
  mutation PortalRevokeSession($input: RevokeSessionInput!) {
    revokeSession(input: $input) {
      ... on SessionRevoked {
        sessionId
      }
      ... on SessionNotFound {
        message
      }
    }
  }
`);

const SignOutElsewhereMutation = graphql(`
  mutation PortalSignOutElsewhere {
    signOutEverywhereElse {
      sessionsEnded
    }
  }
`);

/** The devices signed in to this login, the most recently used first; any but this
 * one can be signed out from here. */
export function Devices() {
  const [{ data, fetching }, reload] = useQuery({
    query: DevicesQuery,
    requestPolicy: "cache-and-network",
  });
  const [{ fetching: revoking }, revoke] = useMutation(RevokeSessionMutation);
  const [{ fetching: ending }, signOutElsewhere] = useMutation(SignOutElsewhereMutation);
  const [said, setSaid] = useState<Outcome | null>(null);
  const sessions = data?.viewer?.sessions ?? [];
  const others = sessions.filter((session) => !session.current);

  const signOut = async (id: string, name: string) => {
    const answer = await revoke({ input: { sessionId: id } });
    const result = answer.data?.revokeSession;
    setSaid(
      result?.__typename === "SessionRevoked"
        ? { done: true, message: `${name} is signed out.` }
        : { done: false, message: messageOf(result) },
    );
    reload({ requestPolicy: "network-only" });
  };
  const signOutOthers = async () => {
    const answer = await signOutElsewhere({});
    const ended = answer.data?.signOutEverywhereElse.sessionsEnded;
    setSaid(
      ended === undefined
        ? { done: false, message: messageOf(undefined) }
        : { done: true, message: `Signed out on ${ended} other device${ended === 1 ? "" : "s"}.` },
    );
    reload({ requestPolicy: "network-only" });
  };

  return (
    <section className="card" aria-labelledby="devices-heading">
      <h2 id="devices-heading">Signed-in devices</h2>
      <OutcomeNotice outcome={said} />
      {fetching && !data && <p aria-busy="true">Loading devices…</p>}
      <ul className="list">
        {sessions.map((session) => {
          const name = session.deviceName ?? "A device without a name";
          return (
            <li key={session.id} className="device">
              <div>
                <strong>{name}</strong>{" "}
                {session.current && <span className="badge ok">This device</span>}
                <p className="muted wrap-anywhere">
                  Last used {dateTime(session.lastUsedAt)}
                  {session.clientAddress ? ` from ${session.clientAddress}` : ""}; signed in{" "}
                  {dateTime(session.createdAt)}
                  {session.userAgent ? ` · ${session.userAgent}` : ""}
                </p>
              </div>
              {!session.current && (
                <button
                  type="button"
                  disabled={revoking}
                  onClick={() => void signOut(session.id, name)}
                >
                  Sign out {name}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {others.length > 1 && (
        <button type="button" disabled={ending} onClick={() => void signOutOthers()}>
          Sign out every other device
        </button>
      )}
    </section>
  );
}
