import { type FormEvent, useState } from "react";
import { useQuery } from "urql";

import { graphql } from "../gql";

const SearchQuery = graphql(`
  query StaffSearch($query: String!) {
    searchAccounts(query: $query, first: 20) {
      edges {
        node {
          accountNumber
          customerName
          serviceAddress {
            line1
            city
            state
          }
        }
      }
    }
  }
`);

export function Search({ onOpen }: { onOpen: (number: string) => void }) {
  const [query, setQuery] = useState("");
  const [{ data, fetching, error }] = useQuery({
    query: SearchQuery,
    variables: { query },
    pause: query === "",
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setQuery(String(new FormData(event.currentTarget).get("query") ?? "").trim());
  };
  const found = data?.searchAccounts.edges.map((edge) => edge.node) ?? [];

  return (
    <section className="card" aria-labelledby="search-heading">
      <h1 id="search-heading">Find an account</h1>
      <form className="toolbar" role="search" onSubmit={submit}>
        <label>
          Name, account, meter, phone or address
          <input name="query" type="search" required />
        </label>
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      {fetching && <p aria-busy="true">Searching…</p>}
      {error && (
        <p className="problem" role="alert">
          {error.graphQLErrors[0]?.message ?? "The search did not work. Please try again."}
        </p>
      )}
      {data && !fetching && (
        <>
          <p role="status">
            {found.length === 0
              ? `No account matches “${query}”.`
              : `${found.length} account${found.length === 1 ? "" : "s"} found.`}
          </p>
          <ul className="list">
            {found.map((result) => (
              <li key={result.accountNumber}>
                <button type="button" onClick={() => onOpen(result.accountNumber)}>
                  <strong>{result.customerName}</strong> · {result.accountNumber}
                  {result.serviceAddress &&
                    ` · ${result.serviceAddress.line1}, ${result.serviceAddress.city}`}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
