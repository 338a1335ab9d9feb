import type { NotificationStatus, NotificationType, OutageNewsPhase } from "../gql/graphql";

// The names members know the notifications by (SmartHub's), by their API type.
export const TYPE_NAMES: Record<NotificationType, string> = {
  BILL_AVAILABLE: "Bill available",
  PAYMENT_DUE: "Payment due",
  PAYMENT_CONFIRMATION: "Payment confirmation",
  PAYMENT_FAILED: "Payment failed",
  AUTOPAY_UPCOMING: "Autopay coming up",
  DELINQUENT: "Delinquent notice",
  CARD_EXPIRING: "Credit card expiration",
  PREPAY_LOW_BALANCE: "Low prepay credit",
  OUTAGE: "Outage",
  HIGH_USAGE: "High usage",
};

export const PHASE_NAMES: Record<OutageNewsPhase, string> = {
  STARTED: "When it starts",
  ESTIMATE_CHANGED: "When the estimate changes",
  RESTORED: "When power is back",
};

export const STATUS_NAMES: Record<NotificationStatus, string> = {
  QUEUED: "Queued",
  SENT: "Sent",
  DELIVERED: "Delivered",
  FAILED: "Failed",
  SUPPRESSED: "Not sent",
};

/** A type as `viewer.notifications` names it ("payment_due", or "test"). */
export function sentTypeName(type: string): string {
  const known = TYPE_NAMES[type.toUpperCase() as NotificationType] as string | undefined;
  return known ?? (type === "test" ? "Test message" : type);
}
