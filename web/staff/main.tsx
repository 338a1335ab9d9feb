import "../shared/app.css";

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { SessionProvider } from "../shared/session";
import { Console } from "./Console";

const root = document.getElementById("app");
if (root === null) {
  throw new Error("the page has no #app element");
}
createRoot(root).render(
  <StrictMode>
    <SessionProvider>
      <Console />
    </SessionProvider>
  </StrictMode>,
);
