import type { Fetcher, FetcherOpts, FetcherParams } from "@graphiql/toolkit";
import { GraphQLError, Kind, parse } from "graphql";

import type { SessionStore } from "./session";

// The GraphQL-over-HTTP media type first: the gateway then answers a request that
// never ran with a 4xx status, which GraphiQL shows like any other answer.
const ACCEPT = "application/graphql-response+json, application/json;q=0.9";

/**
 * POSTs every operation to `endpoint`, the page's own origin. While the page holds a
 * session it sends the access token as a bearer header; a header typed into the
 * headers editor wins over it. No cookie is sent or kept.
 */
export function gatewayFetcher(endpoint: string, session: SessionStore): Fetcher {
  return async (params: FetcherParams, options?: FetcherOpts) => {
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      Accept: ACCEPT,
    };
    const current = session.get();
    if (current !== null) {
      headers.Authorization = `Bearer ${current.accessToken}`;
    }
    Object.assign(headers, options?.headers ?? {});
    const response = await fetch(endpoint, {
      method: "POST",
      headers,
      body: JSON.stringify(withDefinedOperationName(params)),
      credentials: "omit",
    });
    const text = await response.text();
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      // Not GraphQL (a proxy's error page, say): shown in the result pane as an error.
      return { errors: [new GraphQLError(`${response.status} ${response.statusText}\n${text}`)] };
    }
    session.observe(answer);
    return answer as Awaited<ReturnType<Fetcher>>;
  };
}

/**
 * GraphiQL names the operation to run from its editor 100 ms after the last change, so
 * a tab run right after switching to it still carries the other tab's name, which the
 * server refuses. A name the document does not define is dropped: a document with one
 * operation needs none.
 */
export function withDefinedOperationName(params: FetcherParams): FetcherParams {
  const name = params.operationName;
  if (name === null || name === undefined) {
    return params;
  }
  let defined: string[];
  try {
    defined = parse(params.query).definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && definition.name !== undefined
        ? [definition.name.value]
        : [],
    );
  } catch {
    return params; // the server says what is wrong with it
  }
  if (defined.includes(name)) {
    return params;
  }
  const { operationName: _stale, ...rest } = params;
  return rest;
}
