from lianxin.migrations_env import run
from services.accounts.models import Base

run(Base.metadata)
