data = {"users": [{"name": "a", "roles": ["admin", "dev"]}, {"name": "b", "roles": []}], "meta": {"count": 2}}
print(data["users"][0]["roles"][1], data["meta"]["count"], len(data["users"][1]["roles"]))
data["users"].append({"name": "c", "roles": ["dev"]})
print([u["name"] for u in data["users"] if "dev" in u["roles"]])
matrix = [[i * 3 + j for j in range(3)] for i in range(3)]
print(matrix, [row[::-1] for row in matrix], list(map(list, zip(*matrix))))
print(sorted(data), {k: type(v).__name__ for k, v in data.items()})
