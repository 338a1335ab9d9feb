import { useQuery } from "urql";

import { graphql } from "../gql";
import { monthName } from "../shared/format";

const SimilarHomesQuery = graphql(`
  query PortalSimilarHomes($number: String!) {
    account(number: $number) {
      ... on Account {
        number
        similarHomes {
          __typename
          ... on SimilarHomes {
            month
            homes
            kwhPerDay
            percentile
            lowerQuartileKwhPerDay
            medianKwhPerDay
            upperQuartileKwhPerDay
          }
          ... on NotEnoughSimilarHomes {
            month
            message
          }
          ... on SimilarHomesUnavailable {
            month
            message
          }
        }
      }
    }
  }
`);

const perDay = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

function kwhPerDay(value: number): string {
  return `${perDay.format(value)} kWh a day`;
}

/** Where the account stands among homes with the same rate and weather station: a
 * sentence and a bar, from the group's cut points only (never another home's use). */
export function SimilarHomes({ number }: { number: string }) {
  const [{ data, fetching, error }] = useQuery({ query: SimilarHomesQuery, variables: { number } });
  const found = data?.account?.__typename === "Account" ? data.account.similarHomes : null;
  return (
    <section className="card" aria-labelledby="similar-heading">
      <h2 id="similar-heading">Similar homes</h2>
      {fetching && !data && <p aria-busy="true">Comparing with similar homes…</p>}
      {error && !data && (
        <p className="muted">The comparison with similar homes is not available right now.</p>
      )}
      {found && found.__typename !== "SimilarHomes" && (
        <p className="muted">
          {monthName(found.month)}: {found.message}
        </p>
      )}
      {found?.__typename === "SimilarHomes" && (
        <>
          <p>
            In {monthName(found.month)} you used {kwhPerDay(found.kwhPerDay)}: more than{" "}
            {found.percentile}% of {found.homes} similar homes (same rate, same weather station).
          </p>
          <meter
            className="standing"
            min={0}
            max={100}
            value={found.percentile}
            aria-label={`Your use among similar homes: ${found.percentile} out of 100`}
          />
          <p className="muted">
            Half of similar homes used between {kwhPerDay(found.lowerQuartileKwhPerDay)} and{" "}
            {kwhPerDay(found.upperQuartileKwhPerDay)}; the middle one,{" "}
            {kwhPerDay(found.medianKwhPerDay)}.
          </p>
        </>
      )}
    </section>
  );
}
