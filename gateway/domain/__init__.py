"""Pure calculations behind the API (dates of bills, usage series, comparisons): no I/O."""
