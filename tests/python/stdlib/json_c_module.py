# Lib's json over the C-level _json: the accelerators are used, and they behave as CPython's C module
import json, _json, json.decoder, json.encoder, json.scanner
from collections import OrderedDict

print(json.decoder.scanstring is _json.scanstring, json.scanner.make_scanner is _json.make_scanner)
print(_json.scanstring.__module__, _json.make_scanner, _json.make_encoder, _json.make_scanner.__doc__)
print(json.dumps({"a": [1, 2.5, None, True, False, "é\n\"\\"], "b": {}, "c": [], 3: 4, 1.5: 2, None: 0, True: 1}))
print(json.dumps("é😀\x01", ensure_ascii=False), json.dumps("é😀\x01"))
print(json.dumps({"b": 1, "a": [2, {"d": 3, "c": 4}]}, sort_keys=True, separators=(",", ":")))
print(json.dumps([float("inf"), float("-inf"), float("nan"), 1e300, -0.0, 10**30]))
print(json.loads('{"x": [1, 2.5e3, -0, "\\u00e9\\ud83d\\ude00", true, null, NaN, -Infinity]}'))
print(json.loads('[1.5, 2]', parse_float=str, parse_int=lambda s: int(s) * 10))
print(json.loads('{"a": 1, "b": {"c": 2}}', object_pairs_hook=OrderedDict))
print(json.loads('{"a": 1}', object_hook=lambda d: sorted(d.items())))
print(json.loads(b'\xef\xbb\xbf[1]'.decode("utf-8-sig")))
print(_json.encode_basestring_ascii("a\u2028\U0001f600"), _json.encode_basestring("a\u2028\x1f"))
print(_json.scanstring('"abc\\n" tail', 1), _json.scanstring('"a\x01b"', 1, False))

def err(f, *a, **k):
    try:
        r = f(*a, **k)
        print("ok", repr(r))
    except Exception as e:
        print(type(e).__name__ + ":", e)

for doc in ['', '[', '[42', '[42,', '{', '{"spam"', '{"spam":', '{"spam":42', '{"spam":42,', '[1,]', '{"a":1,}',
            '"abc', '"a\\x"', '"\\u12"', '"\\u12zz"', '"a\x01"', '[1] 2', 'tru', '-', '{"a" 1}', '[1 2]']:
    err(json.loads, doc)
err(json.dumps, {(1, 2): 3})
print(json.dumps({(1, 2): 3, "k": 1}, skipkeys=True))
err(json.dumps, float("nan"), allow_nan=False)
err(json.dumps, object())
print(json.dumps([1, object()], default=lambda o: "obj"))
loop = []
loop.append(loop)
err(json.dumps, loop)
d = {}
d["self"] = d
err(json.dumps, d)
err(json.dumps, {"a": 1, 1: "a"}, sort_keys=True)
err(_json.make_encoder, 1, None, None, None, ": ", ", ", False, False, False)
err(_json.make_scanner, 1)
err(_json.scanstring, 1, 1)
err(_json.scanstring, "x", 5)
err(_json.encode_basestring_ascii, b"x")
enc = _json.make_encoder(None, str, lambda s: None, None, ": ", ", ", False, False, False)
err(enc, "spam", 0)
s = _json.make_scanner(json.decoder.JSONDecoder())
print(s('[1, "a"] x', 0), s.strict, s.parse_float, s.object_hook)
err(s, "x", 0)
err(s, "[1]", -1)
err(json.loads, "[" * 100000 + "]" * 100000)
deep = []
for _ in range(100000):
    deep = [deep]
err(json.dumps, deep)
keys = json.loads('[{"kk": 1}, {"kk": 2}]')
print(list(keys[0])[0] is list(keys[1])[0])
