import time


def eventually(check, timeout: float = 20.0, interval: float = 0.1):
    """Poll ``check`` until it returns something truthy; fail with its last answer."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"gave up after {timeout}s; last answer: {last!r}")
