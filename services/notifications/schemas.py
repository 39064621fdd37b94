from pydantic import BaseModel, ConfigDict, Field

from lianxin.auth import Channel


class ChannelsIn(BaseModel):
    """A person's own choice: the channels to be told by; none at all is allowed (told nothing)."""
    model_config = ConfigDict(extra="forbid")
    channels: list[Channel] = Field(max_length=2)
