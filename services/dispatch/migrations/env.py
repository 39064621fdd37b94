from lianxin.migrations_env import run
from services.dispatch.models import Base

run(Base.metadata)
