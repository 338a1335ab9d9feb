// Where the member arrived from: a link in one of the co-op's emails opens a path of
// the portal (gateway/app.py serves the portal's page there), carrying a one-time
// token. Read once when the page opens; the address bar then shows the portal's own
// address, so that the token stays in this page's memory only, out of the history.

export type Arrival =
  | { kind: "confirm-email"; token: string }
  | { kind: "reset-password"; token: string }
  | { kind: "accept-invitation"; token: string }
  | { kind: "notifications" }
  | { kind: "portal" };

export function arrive(): Arrival {
  const { pathname, search } = window.location;
  const token = new URLSearchParams(search).get("token") ?? "";
  const arrival = arrivalAt(pathname, token);
  if (pathname !== "/" || search !== "") {
    window.history.replaceState(null, "", "/");
  }
  return arrival;
}

function arrivalAt(path: string, token: string): Arrival {
  switch (path) {
    case "/confirm-email":
      return { kind: "confirm-email", token };
    case "/reset-password":
      return { kind: "reset-password", token };
    case "/accept-invitation":
      return { kind: "accept-invitation", token };
    case "/notifications":
      return { kind: "notifications" };
    default:
      return { kind: "portal" };
  }
}
