import { type ReactNode, useId } from "react";

/** A page of one card in the middle of the screen, as signing in and its neighbours
 * (registering, choosing a new password) are; `after`: what goes below the card. */
export function CardPage({
  title,
  children,
  after,
}: {
  title: string;
  children: ReactNode;
  after?: ReactNode;
}) {
  const titleId = useId();
  return (
    <main className="sign-in">
      <div className="sign-in-column">
        <section className="card sign-in-card" aria-labelledby={titleId}>
          <h1 id={titleId}>{title}</h1>
          {children}
        </section>
        {after}
      </div>
    </main>
  );
}
