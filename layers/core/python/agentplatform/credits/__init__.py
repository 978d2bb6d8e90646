"""Credits: balances, the ledger, paid top-ups through Stripe, refunds (spec §1.5, §3.8)."""
