import { useState } from "react";
import { useQuery } from "urql";

import { graphql } from "../gql";
import { useSession } from "../shared/session";
import { SignIn } from "../shared/SignIn";
import { AccountView } from "./AccountView";
import { Attention } from "./Attention";
import { AuditLog } from "./AuditLog";
import { Search } from "./Search";

const StaffViewer = graphql(`
  query StaffViewer {
    viewer {
      email
      role
    }
  }
`);

type Screen = "Accounts" | "Payments needing attention" | "Audit log";

export function Console() {
  const { signedIn } = useSession();
  return signedIn ? <SignedIn /> : <SignIn title="Staff console" deviceName="Staff console" />;
}

function SignedIn() {
  const { signOut } = useSession();
  const [{ data }] = useQuery({ query: StaffViewer });
  const [screen, setScreen] = useState<Screen>("Accounts");
  const [account, setAccount] = useState<string | null>(null);
  const role = data?.viewer?.role;
  if (data && role === "MEMBER") {
    return (
      <main className="sign-in">
        <div className="card sign-in-card">
          <h1>Staff console</h1>
          <p role="alert">{data.viewer?.email} is a member login: the console is for staff.</p>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </main>
    );
  }
  const screens: Screen[] =
    role === "ADMIN"
      ? ["Accounts", "Payments needing attention", "Audit log"]
      : ["Accounts", "Payments needing attention"];

  return (
    <>
      <header className="topbar">
        <span className="brand">Co-op staff console</span>
        {data?.viewer && (
          <span>
            {data.viewer.email} ({role === "ADMIN" ? "admin" : "staff"})
          </span>
        )}
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav className="tabs" aria-label="Console">
        {screens.map((name) => (
          <button
            key={name}
            type="button"
            aria-current={screen === name ? "page" : undefined}
            onClick={() => {
              setScreen(name);
              setAccount(null);
            }}
          >
            {name}
          </button>
        ))}
      </nav>
      <main className="content">
        {screen === "Accounts" &&
          (account === null ? (
            <Search onOpen={setAccount} />
          ) : (
            <AccountView
              number={account}
              canRefund={role === "ADMIN"}
              onBack={() => setAccount(null)}
            />
          ))}
        {screen === "Payments needing attention" && <Attention />}
        {screen === "Audit log" && <AuditLog />}
      </main>
    </>
  );
}
