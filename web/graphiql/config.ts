/** A tab GraphiQL opens with (the shape of GraphiQL's own `defaultTabs` entries). */
export type TabDefinition = {
  query: string;
};

/** What the gateway tells the page: the tabs it opens with (the demo's ready queries). */
export type PageConfig = {
  tabs: TabDefinition[];
};

// Served by the gateway beside the page (gateway/api/graphiql.py). A JSON request
// rather than a script in the HTML: the Content-Security-Policy allows no inline script.
export const CONFIG_PATH = "/graphiql/config.json";

export async function loadPageConfig(): Promise<PageConfig> {
  const response = await fetch(CONFIG_PATH, { credentials: "omit", cache: "no-store" });
  if (!response.ok) {
    throw new Error(`${CONFIG_PATH} answered ${response.status}`);
  }
  const body: unknown = await response.json();
  return { tabs: tabsIn(body) };
}

function tabsIn(body: unknown): TabDefinition[] {
  if (!isRecord(body) || !Array.isArray(body.tabs)) {
    return [];
  }
  return body.tabs
    .filter(isRecord)
    .flatMap((tab) => (typeof tab.query === "string" ? [{ query: tab.query }] : []));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
