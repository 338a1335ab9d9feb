import type { Storage } from "@graphiql/toolkit";

/**
 * GraphiQL's tabs, query history and settings, kept for the page's life only.
 *
 * By default GraphiQL keeps them in localStorage, and its history holds every document
 * run: a `login` mutation typed with its password in would stay readable on the
 * device after signing out. Nothing personal is kept in the browser, so nothing is
 * kept at all; a reload starts from the demo's tabs again.
 */
export function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      items.set(key, value);
    },
    removeItem: (key) => {
      items.delete(key);
    },
    clear: () => {
      items.clear();
    },
    get length() {
      return items.size;
    },
  };
}
