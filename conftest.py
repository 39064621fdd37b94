# Eventlet must patch sockets before anything imports them (see shared/references.md).
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()
