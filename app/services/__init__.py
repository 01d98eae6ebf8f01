"""Business rules. Plain functions named verb_noun(actor, ...); they flush, never commit."""
