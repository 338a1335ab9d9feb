"""The payment processor stand-in: tokens, charges, bank debits, refunds, webhooks."""
