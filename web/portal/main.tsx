import "../shared/app.css";

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { SessionProvider } from "../shared/session";
import { arrive } from "./arrival";
import { Portal } from "./Portal";

const root = document.getElementById("app");
if (root === null) {
  throw new Error("the page has no #app element");
}
// Read before the first render: it takes an emailed link's token out of the address bar.
const arrival = arrive();
createRoot(root).render(
  <StrictMode>
    <SessionProvider>
      <Portal arrival={arrival} />
    </SessionProvider>
  </StrictMode>,
);
