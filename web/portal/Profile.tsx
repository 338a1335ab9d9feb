import { ChangePassword } from "./ChangePassword";
import { ContactDetails } from "./ContactDetails";
import { Devices } from "./Devices";

/** The member's own details: phones, email and billing address on the account, the
 * login's password, and the devices signed in to it. */
export default function Profile({ number }: { number: string }) {
  return (
    <>
      <h1>Profile</h1>
      <ContactDetails key={number} number={number} />
      <ChangePassword />
      <Devices />
    </>
  );
}
