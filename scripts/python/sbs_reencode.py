"""hat-sbs re-encoder for the SBS interop test (test/sbs/python-interop.test.ts).

Loads the given schema directories into a hat.sbs.Repository, then for each stdin line
`<Module.Type> <hex>` decodes the bytes with hat-sbs, encodes the result again and prints
`ok <hex>` (or `error <message>`). Prints `READY` first.

    python3 sbs_reencode.py <schema dir>...
"""

import pathlib
import sys

from hat import sbs


def main():
    repo = sbs.Repository(*(pathlib.Path(p) for p in sys.argv[1:]))
    print('READY', flush=True)
    for line in sys.stdin:
        name, _, data = line.strip().partition(' ')
        try:
            value = repo.decode(name, bytes.fromhex(data))
            print('ok', repo.encode(name, value).hex(), flush=True)
        except Exception as e:  # report, keep serving
            print('error', repr(e).replace('\n', ' '), flush=True)


if __name__ == '__main__':
    main()
