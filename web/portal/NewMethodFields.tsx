// The fields of a new card or bank account. Their values go to the processor only
// (./processor.ts): the form is never submitted, and the gateway never sees them.

export function CardFields() {
  return (
    <>
      <label>
        Card number
        <input name="card-number" inputMode="numeric" autoComplete="cc-number" required />
      </label>
      <div className="fields">
        <label>
          Expiry month
          <input name="exp-month" inputMode="numeric" autoComplete="cc-exp-month" required />
        </label>
        <label>
          Expiry year
          <input name="exp-year" inputMode="numeric" autoComplete="cc-exp-year" required />
        </label>
        <label>
          Security code
          <input name="cvc" inputMode="numeric" autoComplete="cc-csc" required />
        </label>
        <label>
          ZIP code
          <input name="postal-code" autoComplete="postal-code" required />
        </label>
      </div>
    </>
  );
}

export function BankAccountFields() {
  return (
    <>
      <label>
        Name on the account
        <input name="holder-name" autoComplete="name" required />
      </label>
      <div className="fields">
        <label>
          Routing number
          <input name="routing-number" inputMode="numeric" autoComplete="off" required />
        </label>
        <label>
          Account number
          <input name="account-number" inputMode="numeric" autoComplete="off" required />
        </label>
      </div>
      <fieldset className="methods">
        <legend>Account type</legend>
        <label className="choice">
          <input type="radio" name="account-type" value="checking" defaultChecked />
          Checking
        </label>
        <label className="choice">
          <input type="radio" name="account-type" value="savings" />
          Savings
        </label>
      </fieldset>
    </>
  );
}
