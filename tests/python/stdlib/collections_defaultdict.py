from collections import defaultdict
dd = defaultdict(list)
for k, v in [("a", 1), ("b", 2), ("a", 3)]:
    dd[k].append(v)
print(dict(dd), dd["missing"], len(dd))
counts = defaultdict(int)
for ch in "hello":
    counts[ch] += 1
print(sorted(counts.items()))
nested = defaultdict(lambda: defaultdict(int))
nested["x"]["y"] += 2
print(nested["x"]["y"], "x" in nested)
