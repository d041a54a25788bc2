"""hat-sbs codec throughput for scripts/bench/python.ts (area `python`).

Loads the given schema files into a hat.sbs.Repository and reads one JSON
object from stdin: {"seconds": S, "messages": [{"name": label, "type":
"Module.Type", "hex": encoded}]}. For each message and each serializer
available (PySerializer always; CSerializer when hat-sbs's C extension is
built, i.e. when it is hat-sbs's DefaultSerializer) it decodes the bytes,
checks that encoding the result gives the same bytes back, then measures
encode and decode calls per second of this process's CPU, the median of 3
interleaved rounds of S seconds. Prints one JSON line: {"default": serializer,
"results": [{"name", "serializer", "encode", "decode"}]}.

    python3 bench_sbs.py <schema.sbs>... < request.json
"""

import json
import pathlib
import statistics
import sys

from hat import sbs

sys.dont_write_bytecode = True  # no __pycache__ in the repository
from bench_cpu import per_cpu_second  # noqa: E402


def serializers():
    found = [sbs.PySerializer]
    if sbs.DefaultSerializer is sbs.CSerializer:
        found.append(sbs.CSerializer)
    return found


def measure(repo, message, serializer, seconds):
    data = bytes.fromhex(message['hex'])
    value = repo.decode(message['type'], data, serializer=serializer)
    again = repo.encode(message['type'], value, serializer=serializer)
    if bytes(again) != data:
        raise Exception(f"{message['name']}: {serializer.__name__} "
                        f"round trip changed the bytes")

    def encode():
        repo.encode(message['type'], value, serializer=serializer)

    def decode():
        repo.decode(message['type'], data, serializer=serializer)

    rounds = [(per_cpu_second(encode, seconds),
               per_cpu_second(decode, seconds)) for _ in range(3)]
    return {'name': message['name'],
            'serializer': serializer.__name__,
            'encode': statistics.median(r[0] for r in rounds),
            'decode': statistics.median(r[1] for r in rounds)}


def main():
    repo = sbs.Repository(*(pathlib.Path(p) for p in sys.argv[1:]))
    request = json.load(sys.stdin)
    results = [measure(repo, message, serializer, request['seconds'])
               for message in request['messages']
               for serializer in serializers()]
    print(json.dumps({'default': sbs.DefaultSerializer.__name__,
                      'results': results}), flush=True)


if __name__ == '__main__':
    main()
