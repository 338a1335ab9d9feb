import { isRecord } from "./config";

/** The signed-in session of this page: its access token, in memory only. */
export type Session = {
  accessToken: string;
  expiresAt: string | null;
};

type Listener = () => void;

/**
 * Holds the access token of the last successful `login` (or `refreshSession`) that ran
 * from this page. It lives in this page's memory only, never in a cookie or in storage,
 * like the API itself: reloading the page signs it out.
 */
export class SessionStore {
  private current: Session | null = null;
  private readonly listeners = new Set<Listener>();

  get = (): Session | null => this.current;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  forget(): void {
    this.set(null);
  }

  /** Keeps the tokens an answer carries; `logout` forgets them. */
  observe(answer: unknown): void {
    if (!isRecord(answer) || !isRecord(answer.data)) {
      return;
    }
    for (const [field, value] of Object.entries(answer.data)) {
      if (field === "logout") {
        this.set(null);
      } else if (isRecord(value) && typeof value.accessToken === "string") {
        const expiresAt = typeof value.expiresAt === "string" ? value.expiresAt : null;
        this.set({ accessToken: value.accessToken, expiresAt });
      }
    }
  }

  private set(session: Session | null): void {
    this.current = session;
    for (const listener of this.listeners) {
      listener();
    }
  }
}
