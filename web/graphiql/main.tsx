import { explorerPlugin } from "@graphiql/plugin-explorer";
import { GraphiQL } from "graphiql";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import "graphiql/style.css";
import "@graphiql/plugin-explorer/style.css";
import "./page.css";

import { loadPageConfig } from "./config";
import { gatewayFetcher } from "./fetcher";
import { memoryStorage } from "./memory-storage";
import { SessionStore } from "./session";
import { sessionPlugin } from "./session-plugin";

const root = document.getElementById("graphiql");
if (root === null) {
  throw new Error("the page has no #graphiql element");
}

// The page is served at the GraphQL endpoint itself (GET with Accept: text/html).
const endpoint = window.location.pathname;
const session = new SessionStore();
const fetcher = gatewayFetcher(endpoint, session);
const plugins = [sessionPlugin(session, fetcher), explorerPlugin()];

try {
  const config = await loadPageConfig();
  root.className = "";
  createRoot(root).render(
    <StrictMode>
      <GraphiQL
        fetcher={fetcher}
        plugins={plugins}
        {...(config.tabs.length > 0 ? { defaultTabs: config.tabs } : {})}
        defaultEditorToolsVisibility="variables"
        shouldPersistHeaders={false}
        storage={memoryStorage()}
      />
    </StrictMode>,
  );
} catch (error) {
  root.className = "page-failed";
  root.textContent = `GraphiQL could not start: ${error instanceof Error ? error.message : String(error)}`;
}
