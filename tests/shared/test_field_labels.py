"""Every field a form sends is named in the person's words when refused, the attachments' file input too."""
from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict

from lianxin.errors import Invalid
from lianxin.schemas import validate


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid")
    content: str = ""


@pytest.mark.parametrize("language, named", [("zh", "照片和文件"), ("en", "Photos and documents")])
def test_the_file_input_is_named_in_a_refusal(language, named):
    with pytest.raises(Invalid) as refused:
        validate(Form, {"files": {}})
    message, details = refused.value.said_in(language)
    assert message.startswith(named) and "files" not in message, message
    assert details == [{"field": "files", "problem": message}]
