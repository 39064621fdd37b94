"""The public numbers of the office's records (R00000012, C00000003, RV000003) and the rows behind them."""


def row_id(number: str, prefix: str) -> int | None:
    """The row id behind a public number such as R00000012 or RV000003; None for anything else, including
    numbers too large to be a row (they would overflow the database's integer)."""
    digits = number[len(prefix):]
    return int(digits) if number.startswith(prefix) and digits.isdigit() and len(digits) <= 9 else None
