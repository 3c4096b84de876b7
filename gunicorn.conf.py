"""gunicorn's settings shared by `make run`, the benchmark and the tests' servers (gunicorn reads this file
from the working directory); the command lines add workers, threads and the address."""

# Longer than a user's pause between clicks (the load test thinks 1–3 s): with gunicorn's default of 2 s a
# client could send on a connection at the moment the server closed it, and see a reset.
keepalive = 5
