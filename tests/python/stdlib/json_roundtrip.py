import json
records = [{"id": i, "name": f"item{i}", "tags": ["x"] * (i % 3), "price": i * 1.25} for i in range(4)]
s = json.dumps(records, sort_keys=True)
back = json.loads(s)
print(s)
print(back == records, back[2]["tags"], type(back[1]["price"]).__name__)
print(json.dumps({"a": {"b": {"c": [1, [2, [3]]]}}}, indent=4))
