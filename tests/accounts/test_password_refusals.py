"""A refused password is said in the person's language, the field's problem as much as the message."""
from __future__ import annotations

import pytest

from lianxin.errors import Invalid
from services.accounts.passwords import check_new


@pytest.mark.parametrize("language, said", [("zh", "密码至少需要 12 个字符"),
                                            ("en", "a password must have at least 12 characters")])
def test_a_short_password_is_refused_in_the_persons_language(language, said):
    with pytest.raises(Invalid) as refused:
        check_new("abc", "wang-fang", 12)
    assert refused.value.said_in(language) == (said, [{"field": "new_password", "problem": said}])
