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

const monthAndYear = new Intl.DateTimeFormat("en-US", {
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});

/** A calendar month as the API names it ("2026-10"), as people do: "October 2026". */
export function monthName(value: string): string {
  return monthAndYear.format(new Date(`${value}-01T00:00:00Z`));
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

/** An enum value as a word: "NEEDS_ATTENTION" is "Needs attention". */
export function statusName(value: string): string {
  const words = value.toLowerCase().replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

const wallClock = new Intl.DateTimeFormat("en-US", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

/** A time as the co-op wrote it ("2026-07-14T17:00:00-06:00": Jul 14, 2026, 5:00 PM),
 * on the co-op's clock whatever the browser's zone. */
export function localDateTime(value: string): string {
  return wallClock.format(new Date(`${value.slice(0, 19)}Z`));
}

/** The hour of the day starting at `hour` (0 to 23): "5 PM". */
export function hourOfDay(hour: number): string {
  const twelve = hour % 12 === 0 ? 12 : hour % 12;
  return `${twelve} ${hour < 12 ? "AM" : "PM"}`;
}
