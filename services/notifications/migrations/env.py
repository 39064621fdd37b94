from lianxin.migrations_env import run
from services.notifications.models import Base

run(Base.metadata)
