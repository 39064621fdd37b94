"""What dispatch's gauges say, read from its database at each scrape."""
from collections.abc import Iterator

from lianxin.db import UnitOfWork, utcnow
from lianxin.directory import Directory
from lianxin.metrics import Reading

from .handling import workload


def readings(uow: UnitOfWork, directory: Directory) -> Iterator[Reading]:
    """Open and overdue cases of every unit of the county: a unit with none left shows 0, not its last count."""
    counts = {unit: (0, 0) for unit in directory.units}
    counts.update({unit: (open_cases, overdue) for unit, open_cases, overdue in workload(uow, utcnow())})
    for unit, (open_cases, overdue) in counts.items():
        yield "lianxin_cases_open", {"unit": unit}, open_cases
        yield "lianxin_cases_overdue", {"unit": unit}, overdue
