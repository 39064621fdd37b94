"""Single sign-on stands on joserfc and Authlib's lasting parts: loading accounts warns of nothing deprecated
and loads none of what Authlib 2.0 removes (``authlib.jose``, its httpx client)."""
from __future__ import annotations

import subprocess
import sys

LOADED = """
import sys, warnings
import authlib.deprecate  # it files its own "always" filter on import: "error" goes in front of it
warnings.simplefilter("error", DeprecationWarning)
warnings.filterwarnings("ignore", r"\\s*Eventlet is deprecated", DeprecationWarning)
import services.accounts.service
print(" ".join(m for m in sys.modules if m.startswith(("authlib.jose", "authlib.integrations"))))
"""


def test_accounts_loads_no_deprecated_authlib_module():
    loaded = subprocess.run([sys.executable, "-c", LOADED], capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == ""
