import type { ReactNode } from "react";

/** Something went wrong, said where the member is looking, and read out at once. */
export function Problem({ children, id }: { children: ReactNode; id?: string }) {
  return (
    <p id={id} className="problem" role="alert">
      {children}
    </p>
  );
}

/** Something the member asked for is done; read out politely. */
export function Done({ children }: { children: ReactNode }) {
  return (
    <p className="banner ok" role="status">
      {children}
    </p>
  );
}

/** How something the member did came out: done, or the problem in words. */
export type Outcome = { done: boolean; message: string };

export function OutcomeNotice({ outcome }: { outcome: Outcome | null }) {
  if (outcome === null) {
    return null;
  }
  return outcome.done ? <Done>{outcome.message}</Done> : <Problem>{outcome.message}</Problem>;
}
