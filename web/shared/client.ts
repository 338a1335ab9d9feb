import { persistedExchange } from "@urql/exchange-persisted";
import { Client, cacheExchange, fetchExchange } from "urql";

/** The persisted-document hash graphql-codegen embeds in each generated document. */
function documentHash(document: unknown): string {
  const meta = (document as { __meta__?: { hash?: unknown } }).__meta__;
  return typeof meta?.hash === "string" ? meta.hash : "";
}

/**
 * One urql client per signed-in session, talking to the gateway on this page's origin.
 *
 * Every operation goes as its SHA-256 (Apollo's `persistedQuery` extension, which the
 * gateway reads against the trusted documents the build wrote). A production build
 * never sends a document's text; a development build sends it when the gateway does not
 * know the hash. Always POST: account numbers in variables stay out of URLs and logs.
 * No cookie is sent or kept; the access token goes as a bearer header.
 */
export function createGatewayClient(accessToken: () => string | null): Client {
  return new Client({
    url: "/graphql",
    preferGetMethod: false,
    fetchOptions: () => {
      const token = accessToken();
      return {
        credentials: "omit",
        headers: token === null ? {} : { Authorization: `Bearer ${token}` },
      };
    },
    exchanges: [
      cacheExchange,
      persistedExchange({
        enforcePersistedQueries: import.meta.env.PROD,
        enableForMutation: true,
        preferGetForPersistedQueries: false,
        generateHash: (_text, document) => Promise.resolve(documentHash(document)),
      }),
      fetchExchange,
    ],
  });
}
