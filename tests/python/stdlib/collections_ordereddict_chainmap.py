from collections import OrderedDict, ChainMap
od = OrderedDict()
od["b"] = 1
od["a"] = 2
od["c"] = 3
od.move_to_end("b")
print(list(od), od.popitem(), od.popitem(last=False), od)
cm = ChainMap({"a": 1}, {"a": 2, "b": 3})
print(cm["a"], cm["b"], "b" in cm, sorted(cm.keys()), len(cm))
