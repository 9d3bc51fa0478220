"""Allocation-heavy Python workload for scripts/bench/workloads: JSON round trips of a document of RECORDS
records (dicts with strings, ints, floats and lists), each round encoding and decoding the whole document."""
import json
import sys

records = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3

document = [
    {"id": i, "name": f"user-{i}", "score": i * 0.5, "tags": [f"t{i % 7}", f"g{i % 13}"],
     "address": {"street": f"{i} Main St", "zip": f"{10000 + i % 90000}"}}
    for i in range(records)
]
for _ in range(rounds):
    text = json.dumps(document)
    document = json.loads(text)
print(len(text))
