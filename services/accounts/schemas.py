"""What the accounts API takes and gives."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from lianxin.auth import Email, Mobile, Role  # a person's contacts by the rule the credentials file keeps

UserName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$",
                                description="lower-case letters, digits, dot, dash, underscore; 2 to 64")]
Code = Annotated[str, Field(min_length=1, max_length=64)]
Password = Annotated[str, Field(min_length=1, max_length=256)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SignInIn(_In):
    model_config = ConfigDict(extra="forbid")  # a password is taken as typed
    user_name: Annotated[str, Field(min_length=1, max_length=64)]
    password: Password


class SingleSignOnStartIn(_In):
    redirect_uri: Annotated[str, Field(pattern=r"^https?://", max_length=500)]


class SingleSignOnIn(SingleSignOnStartIn):
    """What came back from the identity platform, with what was kept while the browser was away."""
    code: Annotated[str, Field(min_length=1, max_length=2000)]
    code_verifier: Annotated[str, Field(min_length=43, max_length=128)]
    nonce: Annotated[str, Field(min_length=1, max_length=200)]


class PasswordChangeIn(_In):
    model_config = ConfigDict(extra="forbid")
    current_password: Password
    new_password: Password


class Place(_In):
    unit: Code | None = None  # township or department
    village: Code | None = None  # an information officer's village
    enterprise: Code | None = None  # or enterprise


class AccountIn(Place):
    user_name: UserName
    display_name: Annotated[str, Field(min_length=1, max_length=100)]
    role: Role
    mobile: Mobile | None = None
    email: Email | None = None


class AccountChangeIn(Place):
    """Only what is sent changes; the place is replaced as a whole when any of it is sent."""
    display_name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    role: Role | None = None
    mobile: Mobile | None = None
    email: Email | None = None


class ApiTokenIn(_In):
    name: UserName
    role: Role
    unit: Code | None = None  # a unit's own scripts act for that unit only
    valid_days: Annotated[int, Field(ge=1, le=3660)] | None = None  # without it, until revoked
