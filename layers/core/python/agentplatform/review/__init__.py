"""Human-in-the-loop reviews: listing pending ones and acting on them (spec §3.9)."""
