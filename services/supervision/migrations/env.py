from lianxin.migrations_env import run
from services.supervision.models import Base

run(Base.metadata)
