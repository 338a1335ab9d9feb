// What a mutation's union answer says to the member when it is not the success type:
// every typed error of the API carries a message written for people.

type Answer = { __typename?: string } | null | undefined;

export const TRY_AGAIN = "That did not work. Please try again in a moment.";

/** The answer's own message, or `fallback` when there is none (a network failure, or
 * an error masked by the gateway). */
export function messageOf(answer: Answer, fallback: string = TRY_AGAIN): string {
  if (answer !== null && answer !== undefined && "message" in answer) {
    const message = (answer as { message: unknown }).message;
    if (typeof message === "string" && message !== "") {
      return message;
    }
  }
  return fallback;
}

/** Why an answer was not the success: its message, and the input field it names when
 * it is a `ValidationError` (the form marks that field invalid). */
export type Rejection = { field: string | null; message: string };

export function rejectionOf(answer: Answer): Rejection {
  const field =
    answer?.__typename === "ValidationError" ? (answer as { field?: unknown }).field : null;
  return { field: typeof field === "string" ? field : null, message: messageOf(answer) };
}
