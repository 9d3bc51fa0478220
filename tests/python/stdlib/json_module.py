import json
data = {"name": "test", "values": [1, 2.5, None, True, False], "nested": {"a": "b"}, "uni": "é"}
s = json.dumps(data)
print(s)
print(json.dumps(data, indent=2, sort_keys=True))
print(json.loads(s) == data, json.loads('{"x": [1, {"y": null}]}'), json.loads("3.5"), json.loads('"str\\n"'))
print(json.dumps([1, "a"], separators=(",", ":")), json.dumps("é", ensure_ascii=False), json.dumps({1: 2}))
try:
    json.loads("{bad json}")
except json.JSONDecodeError as e:
    print("JSONDecodeError:", e)
try:
    json.dumps(object())
except TypeError as e:
    print("TypeError:", str(e)[:38])
