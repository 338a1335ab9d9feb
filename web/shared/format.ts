// The co-op's dates and money as members read them. Money arrives as a decimal string
// ("123.45"), dates as ISO 8601.

const dollars = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const day = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });
const dayAndTime = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short" });
const kwh = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function money(amount: string): string {
  return dollars.format(Number(amount));
}

/** A local date ("2026-11-30"), shown as that same day whatever the browser's zone. */
export function date(value: string): string {
  return day.format(new Date(`${value}T00:00:00Z`));
}

export function dateTime(value: string): string {
  return dayAndTime.format(new Date(value));
}

export function energy(value: number): string {
  return `${kwh.format(value)} kWh`;
}

export function temperature(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${Math.round(value)} °F`;
}

/** "2026-11-30" for a Date, in the browser's own calendar. */
export function isoDay(value: Date): string {
  const month = String(value.getMonth() + 1).padStart(2, "0");
  const dayOfMonth = String(value.getDate()).padStart(2, "0");
  return `${value.getFullYear()}-${month}-${dayOfMonth}`;
}
