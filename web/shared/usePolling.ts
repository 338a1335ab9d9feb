import { useEffect } from "react";

/** Ask again every `everyMs` while `waiting` (something is on its way: a payment
 * posting, a notification going out), and stop as soon as it is not. */
export function usePolling(waiting: boolean, askAgain: () => void, everyMs = 3000): void {
  useEffect(() => {
    if (!waiting) {
      return undefined;
    }
    const timer = window.setInterval(askAgain, everyMs);
    return () => window.clearInterval(timer);
  }, [waiting, askAgain, everyMs]);
}
