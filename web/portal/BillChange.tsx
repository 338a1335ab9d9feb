import { energy, money } from "../shared/format";

type Change = {
  amount: string;
  rates: string;
  days: string;
  weather: string;
  remainder: string;
  kwh: number;
  daysKwh: number;
  weatherKwh: number;
  remainderKwh: number;
};

/** A signed amount: "+$12.30", "−$4.00". */
function signedMoney(amount: string): string {
  const value = Number(amount);
  return `${value < 0 ? "−" : "+"}${money(String(Math.abs(value)))}`;
}

function signedEnergy(kwh: number): string {
  return `${kwh < 0 ? "−" : "+"}${energy(Math.abs(kwh))}`;
}

/** Why a bill changed: weather, days billed, rates and the rest, which add up to the
 * change in dollars (and, but for rates, in kWh). */
export function BillChangeParts({ change }: { change: Change }) {
  const parts = [
    { name: "Weather", amount: change.weather, kwh: change.weatherKwh },
    { name: "Days billed", amount: change.days, kwh: change.daysKwh },
    { name: "Rates and fixed charges", amount: change.rates, kwh: null },
    { name: "Other use", amount: change.remainder, kwh: change.remainderKwh },
  ];
  return (
    <>
      <ul className="breakdown" aria-label="What the change is made of">
        {parts.map((part) => (
          <li key={part.name}>
            <span>{part.name}</span>
            <span>
              {signedMoney(part.amount)}
              {part.kwh === null ? "" : ` (${signedEnergy(part.kwh)})`}
            </span>
          </li>
        ))}
      </ul>
      <p>
        <strong>
          In all {signedMoney(change.amount)} ({signedEnergy(change.kwh)})
        </strong>
      </p>
    </>
  );
}
