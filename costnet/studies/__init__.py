"""Studies over many analyses: variants and sweeps, budgets and baselines, differences."""
