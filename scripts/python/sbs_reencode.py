"""hat-sbs re-encoder for the SBS interop test (test/sbs/python-interop.test.ts).

Loads the given schema directories into a hat.sbs.Repository, then for each stdin line
`<Module.Type> <hex>` decodes the bytes with hat-sbs, encodes the result again and prints
`ok <hex>` (or `error <message>`). Prints `READY` first.

Always hat-sbs's pure-Python serializer: its default is the C one when built, which wraps
integers beyond 64 bits, and the interop test covers integers of any size.

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
            value = repo.decode(name, bytes.fromhex(data),
                                serializer=sbs.PySerializer)
            encoded = repo.encode(name, value, serializer=sbs.PySerializer)
            print('ok', encoded.hex(), flush=True)
        except Exception as e:  # report, keep serving
            print('error', repr(e).replace('\n', ' '), flush=True)


if __name__ == '__main__':
    main()
