"""A refusal in Open311's terms: the spec's status and one or more descriptions."""
from __future__ import annotations

from lianxin.errors import Refused


class Open311Error(Refused):
    """A refusal in the spec's terms: 404 unknown, 403 api_key, 400 otherwise; one or more descriptions."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__(descriptions[0])
        self.status = status
        self.code = status
        self.descriptions = descriptions
