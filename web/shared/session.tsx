import {
  type ReactNode,
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { Provider } from "urql";

import { graphql } from "../gql";
import { createGatewayClient } from "./client";

/**
 * The session's tokens, in this page's memory only.
 *
 * Neither token is ever written to a cookie, localStorage, sessionStorage or IndexedDB:
 * a script injected into the page (XSS) finds nothing stored to carry away once the
 * page is closed, and with no cookie there is nothing a forged cross-site request (CSRF)
 * could ride on. The refresh token is spent by `refreshSession` shortly before the
 * access token expires, so a page left open stays signed in; reloading the page signs
 * it out, and the member signs in again. Signing out ends the session at the gateway
 * and drops the tokens and the client with every answer it cached.
 */
export type Tokens = {
  accessToken: string;
  expiresAt: string;
  refreshToken: string;
};

const RefreshSession = graphql(`
  mutation RefreshSession($input: RefreshSessionInput!) {
    refreshSession(input: $input) {
      ... on RefreshSessionSuccess {
        accessToken
        expiresAt
        refreshToken
      }
      ... on RefreshFailed {
        message
      }
    }
  }
`);

const SignOut = graphql(`
  mutation SignOut {
    logout {
      sessionsEnded
    }
  }
`);

// Refresh this long before the access token expires.
const REFRESH_MARGIN_MS = 60_000;

type SessionState = {
  signedIn: boolean;
  signIn: (tokens: Tokens) => void;
  signOut: () => Promise<void>;
};

const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (session === null) {
    throw new Error("useSession outside <SessionProvider>");
  }
  return session;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const tokens = useRef<Tokens | null>(null);
  const [generation, setGeneration] = useState(0);
  const [signedIn, setSignedIn] = useState(false);
  // A new client for every session: nothing one member's answers left in the cache is
  // there for the next one.
  const client = useMemo(
    () => createGatewayClient(() => tokens.current?.accessToken ?? null),
    [generation],
  );

  const forget = useCallback(() => {
    tokens.current = null;
    setSignedIn(false);
    setGeneration((n) => n + 1);
  }, []);

  const signIn = useCallback((next: Tokens) => {
    tokens.current = next;
    setSignedIn(true);
  }, []);

  const signOut = useCallback(async () => {
    if (tokens.current !== null) {
      await client.mutation(SignOut, {}).toPromise();
    }
    forget();
  }, [client, forget]);

  useEffect(() => {
    if (!signedIn) {
      return undefined;
    }
    let timer = 0;
    const schedule = () => {
      const current = tokens.current;
      if (current === null) {
        return;
      }
      const wait = Date.parse(current.expiresAt) - Date.now() - REFRESH_MARGIN_MS;
      timer = window.setTimeout(() => void refresh(current.refreshToken), Math.max(wait, 0));
    };
    const refresh = async (refreshToken: string) => {
      const answer = await client
        .mutation(RefreshSession, { input: { refreshToken } })
        .toPromise();
      const result = answer.data?.refreshSession;
      if (result?.__typename === "RefreshSessionSuccess") {
        tokens.current = result;
        schedule();
      } else {
        forget();
      }
    };
    schedule();
    return () => window.clearTimeout(timer);
  }, [signedIn, client, forget]);

  const state = useMemo(() => ({ signedIn, signIn, signOut }), [signedIn, signIn, signOut]);
  return (
    <SessionContext.Provider value={state}>
      <Provider value={client}>{children}</Provider>
    </SessionContext.Provider>
  );
}
