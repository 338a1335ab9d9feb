import { dateTime } from "../shared/format";

const PHASES = {
  REPORTED: "Reported",
  DISPATCHED: "Crew dispatched",
  ON_SITE: "Crew on site",
  RESTORED: "Restored",
} as const;

type OutageEvent = {
  phase: keyof typeof PHASES;
  cause?: string | null;
  crew?: string | null;
  estimatedRestoration?: string | null;
};

/** Where an outage stands, in one sentence or three: the crew, the estimated time of
 * restoration, and the cause when known. */
export function outageNews(event: OutageEvent): string {
  const crew = event.crew ? ` (${event.crew})` : "";
  const restoration = event.estimatedRestoration
    ? `Estimated restoration ${dateTime(event.estimatedRestoration)}.`
    : "No restoration estimate yet.";
  const cause = event.cause ? ` Cause: ${event.cause}.` : "";
  return `${PHASES[event.phase]}${crew}. ${restoration}${cause}`;
}
