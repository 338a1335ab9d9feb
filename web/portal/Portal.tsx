import { Suspense, lazy, useEffect, useId, useState } from "react";
import { useQuery } from "urql";

import { graphql } from "../gql";
import { useSession } from "../shared/session";
import type { Arrival } from "./arrival";
import { Bills } from "./Bills";
import { Dashboard } from "./Dashboard";
import { SignedOut } from "./SignedOut";

// uPlot and the usage screen load when the member first opens it.
const Usage = lazy(() => import("./Usage"));
const Pay = lazy(() => import("./Pay"));
const Outages = lazy(() => import("./Outages"));
const Notifications = lazy(() => import("./Notifications"));
const Profile = lazy(() => import("./Profile"));
const AcceptInvitation = lazy(() => import("./AcceptInvitation"));

const PortalViewer = graphql(`
  query PortalViewer {
    viewer {
      email
      accounts {
        number
        serviceLocations {
          id
          address {
            line1
            city
          }
        }
      }
    }
  }
`);

const SCREENS = [
  "Dashboard",
  "Usage",
  "Bills",
  "Pay",
  "Outages",
  "Notifications",
  "Profile",
] as const;
type Screen = (typeof SCREENS)[number];

export function Portal({ arrival }: { arrival: Arrival }) {
  const { signedIn } = useSession();
  // An emailed link's page is shown once: signing out later starts from signing in.
  const [landing, setLanding] = useState(arrival);
  useEffect(() => {
    if (signedIn) {
      setLanding({ kind: "portal" });
    }
  }, [signedIn]);
  return signedIn ? (
    <SignedIn
      first={landing.kind === "notifications" ? "Notifications" : "Dashboard"}
      invitation={landing.kind === "accept-invitation" ? landing.token : null}
    />
  ) : (
    <SignedOut arrival={landing} />
  );
}

function SignedIn({ first, invitation }: { first: Screen; invitation: string | null }) {
  const { signOut } = useSession();
  const [{ data, error }, reloadViewer] = useQuery({ query: PortalViewer });
  // Kept from the page's first render: the landing is forgotten once signed in.
  const [invited] = useState(invitation);
  const [chosen, setChosen] = useState<string | null>(null);
  const [screen, setScreen] = useState<Screen>(first);
  const switcherId = useId();
  const accounts = data?.viewer?.accounts ?? [];
  const number = chosen ?? accounts[0]?.number ?? null;

  return (
    <>
      <header className="topbar">
        <span className="brand">Co-op member portal</span>
        {accounts.length > 1 && (
          <div className="switcher">
            <label htmlFor={switcherId}>Account</label>
            <select
              id={switcherId}
              value={number ?? ""}
              onChange={(event) => setChosen(event.target.value)}
            >
              {accounts.map((account) => (
                <option key={account.number} value={account.number}>
                  {account.number}
                  {account.serviceLocations?.[0]
                    ? ` · ${account.serviceLocations[0].address.line1}`
                    : ""}
                </option>
              ))}
            </select>
          </div>
        )}
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav className="tabs" aria-label="Portal">
        {SCREENS.map((name) => (
          <button
            key={name}
            type="button"
            aria-current={screen === name ? "page" : undefined}
            onClick={() => setScreen(name)}
          >
            {name}
          </button>
        ))}
      </nav>
      <main className="content">
        {invited !== null && (
          <Suspense fallback={null}>
            <AcceptInvitation
              token={invited}
              accepted={(accepted) => {
                reloadViewer({ requestPolicy: "network-only" });
                setChosen(accepted);
              }}
            />
          </Suspense>
        )}
        {error && (
          <p className="problem" role="alert">
            Your accounts could not be loaded. Please try again in a moment.
          </p>
        )}
        {data && number === null && <p>No account is linked to {data.viewer?.email} yet.</p>}
        {number !== null && screen === "Dashboard" && (
          <Dashboard number={number} onPay={() => setScreen("Pay")} />
        )}
        {number !== null && screen === "Usage" && (
          <Suspense fallback={<p aria-busy="true">Loading usage…</p>}>
            <Usage number={number} />
          </Suspense>
        )}
        {number !== null && screen === "Bills" && <Bills number={number} />}
        {number !== null && screen === "Pay" && (
          <Suspense fallback={<p aria-busy="true">Loading…</p>}>
            <Pay number={number} />
          </Suspense>
        )}
        <Suspense fallback={<p aria-busy="true">Loading…</p>}>
          {number !== null && screen === "Outages" && <Outages number={number} />}
          {number !== null && screen === "Notifications" && <Notifications number={number} />}
          {number !== null && screen === "Profile" && <Profile number={number} />}
        </Suspense>
      </main>
    </>
  );
}
