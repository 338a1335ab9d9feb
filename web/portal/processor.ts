import { useEffect, useState } from "react";

// The payment processor the portal's page tokenizes at: card and bank account numbers
// go from the member's form straight to it, and it answers a single-use token; the
// gateway only ever sees that token (PCI SAQ-A).

export type Processor = { url: string; publishableKey: string };
export type Token = { id: string; label: string };

/** The processor named in the gateway's portal configuration, or null without one. */
export function useProcessor(): Processor | null | undefined {
  const [processor, setProcessor] = useState<Processor | null | undefined>(undefined);
  useEffect(() => {
    let current = true;
    void fetch("/portal/config.json", { credentials: "omit" })
      .then((answer) => answer.json() as Promise<{ payments: Processor | null }>)
      .then((config) => current && setProcessor(config.payments))
      .catch(() => current && setProcessor(null));
    return () => {
      current = false;
    };
  }, []);
  return processor;
}

type TokenAnswer = {
  id?: string;
  card?: { brand?: string; last4?: string };
  bank_account?: { bank_name?: string; last4?: string };
  error?: { message?: string };
};

async function tokenize(processor: Processor, details: object, refused: string) {
  const answer = await fetch(`${processor.url}/v1/tokens`, {
    method: "POST",
    credentials: "omit",
    headers: {
      Authorization: `Bearer ${processor.publishableKey}`,
      "Content-Type": "application/json",
    },
    body: JSON.stringify(details),
  });
  const body = (await answer.json()) as TokenAnswer;
  if (!answer.ok || body.id === undefined) {
    throw new Error(body.error?.message ?? refused);
  }
  return { ...body, id: body.id };
}

const field = (form: FormData, name: string) => String(form.get(name) ?? "");

export async function tokenizeCard(processor: Processor, form: FormData): Promise<Token> {
  const body = await tokenize(
    processor,
    {
      card: {
        number: field(form, "card-number"),
        exp_month: Number(form.get("exp-month")),
        exp_year: Number(form.get("exp-year")),
        cvc: field(form, "cvc"),
        postal_code: field(form, "postal-code"),
      },
    },
    "The card was not accepted.",
  );
  const brand = body.card?.brand ?? "card";
  const name = `${brand.charAt(0).toUpperCase()}${brand.slice(1)}`;
  return { id: body.id, label: `${name} ending ${body.card?.last4 ?? ""}` };
}

/** An e-check's bank account, tokenized the same way as a card. */
export async function tokenizeBankAccount(processor: Processor, form: FormData): Promise<Token> {
  const body = await tokenize(
    processor,
    {
      bank_account: {
        routing_number: field(form, "routing-number").trim(),
        account_number: field(form, "account-number").trim(),
        account_type: field(form, "account-type"),
        holder_name: field(form, "holder-name"),
      },
    },
    "The bank account was not accepted.",
  );
  const bank = body.bank_account?.bank_name ?? "Bank account";
  return { id: body.id, label: `${bank} account ending ${body.bank_account?.last4 ?? ""}` };
}
