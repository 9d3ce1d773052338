"""Exit 0 when every `name==version` pin of the given requirements file is installed at exactly that version, else
print the first pin that is not and exit 1. `npm test` asks this (~0.1 CPU-s) before running pip (~2.5 CPU-s of
resolving even when nothing is to be installed). Only the pins themselves are checked, not their dependencies: a
broken dependency shows up in the tests that import it."""
import re
import sys
from importlib.metadata import PackageNotFoundError, version

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;#]+)\s*(#.*)?$")


def unmet(lines):
    """The first requirement line that is not an exact pin installed at its version, with the reason; else None."""
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = PIN.match(line)
        if match is None:
            return f"{line}: not a name==version pin (pip decides)"
        name, _, wanted, _ = match.groups()
        try:
            installed = version(name)
        except PackageNotFoundError:
            return f"{name}: not installed (wants {wanted})"
        if installed != wanted:
            return f"{name}: {installed} installed, {wanted} wanted"
    return None


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        reason = unmet(handle)
    if reason is not None:
        print(f"requirements: {reason}; installing with pip", file=sys.stderr)
        sys.exit(1)
