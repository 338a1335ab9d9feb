import type { ReactNode } from "react";

/**
 * A table that scrolls sideways on a narrow screen rather than widening the page; the
 * scrolling region can take focus, so that it scrolls from the keyboard too.
 */
export function ScrollingTable({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
