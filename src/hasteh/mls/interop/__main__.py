"""`python -m hasteh.mls.interop`: the process shell around the pure driver.

The only place the driver touches the OS: randomness, wall-clock time, stdin/stdout.
"""

import os
import sys
import time

from hasteh.mls.interop import InteropDriver, serve

serve(InteropDriver(os.urandom, lambda: int(time.time())), sys.stdin, sys.stdout)
