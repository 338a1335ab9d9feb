import { Suspense, lazy, useState } from "react";

import { SignIn } from "../shared/SignIn";
import type { Arrival } from "./arrival";

// Only signing in is needed at once; the rest loads when a member asks for it.
const Register = lazy(() => import("./Register"));
const ConfirmEmail = lazy(() => import("./ConfirmEmail"));
const ResendConfirmation = lazy(() =>
  import("./ConfirmEmail").then((module) => ({ default: module.ResendConfirmation })),
);
const ForgotPassword = lazy(() => import("./PasswordReset"));
const ResetPassword = lazy(() =>
  import("./PasswordReset").then((module) => ({ default: module.ResetPassword })),
);

export type SignedOutPage =
  | { page: "sign-in" }
  | { page: "register" }
  | { page: "resend-confirmation" }
  | { page: "forgot-password" }
  | { page: "confirm-email"; token: string }
  | { page: "reset-password"; token: string };

export type Go = (to: SignedOutPage) => void;

function firstPage(arrival: Arrival): SignedOutPage {
  if (arrival.kind === "confirm-email" && arrival.token !== "") {
    return { page: "confirm-email", token: arrival.token };
  }
  if (arrival.kind === "reset-password") {
    return arrival.token === ""
      ? { page: "forgot-password" }
      : { page: "reset-password", token: arrival.token };
  }
  return { page: "sign-in" };
}

/** Signing in, and what a member without a working sign-in needs: registering,
 * confirming the email address, choosing a new password. */
export function SignedOut({ arrival }: { arrival: Arrival }) {
  const [shown, go] = useState<SignedOutPage>(() => firstPage(arrival));
  if (shown.page === "sign-in") {
    return (
      <SignIn title="Sign in to your co-op account" deviceName="Member portal">
        <nav className="links" aria-label="Other ways in">
          <button type="button" className="link" onClick={() => go({ page: "register" })}>
            New user? Register
          </button>
          <button type="button" className="link" onClick={() => go({ page: "forgot-password" })}>
            Forgot your password?
          </button>
          <button
            type="button"
            className="link"
            onClick={() => go({ page: "resend-confirmation" })}
          >
            Confirmation email missing?
          </button>
        </nav>
      </SignIn>
    );
  }
  return (
    <Suspense fallback={<p aria-busy="true">Loading…</p>}>
      {shown.page === "register" && <Register go={go} />}
      {shown.page === "resend-confirmation" && <ResendConfirmation go={go} />}
      {shown.page === "confirm-email" && <ConfirmEmail token={shown.token} go={go} />}
      {shown.page === "forgot-password" && <ForgotPassword go={go} />}
      {shown.page === "reset-password" && <ResetPassword token={shown.token} go={go} />}
    </Suspense>
  );
}

/** Back to signing in: the way out of every page above. */
export function BackToSignIn({ go, label = "Back to sign in" }: { go: Go; label?: string }) {
  return (
    <p className="links">
      <button type="button" className="link" onClick={() => go({ page: "sign-in" })}>
        {label}
      </button>
    </p>
  );
}
