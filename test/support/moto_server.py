"""moto_server as the tests start it: moto's own server (`moto.server.main`, same arguments), with two costs of
moto 5.2 taken off every request, neither of which changes an answer:

- `moto.backends.list_of_moto_modules()` lists moto's package directory (an `isdir` per entry, about 170) on every
  request, to see whether the request's host names a service; the listing cannot change while the server runs, so it
  is read once at start.
- werkzeug logs one INFO line per request, which nobody reads (test/support/moto.ts keeps the server's output only
  for the message of a failed start); warnings and errors are still logged.

Measured on the end-to-end story (test/e2e/workflow.test.ts, IAM enforcement on): the server's CPU 8.3 -> 6.6 s.
test/support/test_moto_server.py checks that the listing kept is moto's own; every moto suite starts its servers here.
"""
import logging
import sys

from moto import backends

_moto_listing = backends.list_of_moto_modules
_MODULES = frozenset(_moto_listing())


def _listed_once():
    return _MODULES


backends.list_of_moto_modules = _listed_once
logging.getLogger("werkzeug").setLevel(logging.WARNING)

if __name__ == "__main__":
    from moto.server import main

    sys.argv[0] = "moto_server"
    main()
