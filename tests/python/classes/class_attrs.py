class Config:
    debug = False
    items = []
    def __init__(self, name):
        self.name = name
a = Config("a")
b = Config("b")
a.debug = True
a.items.append(1)
print(a.debug, b.debug, Config.debug, b.items, a.__dict__, "debug" in Config.__dict__)
Config.debug = "class"
print(b.debug, a.debug)
class Counter:
    total = 0
    def inc(self):
        type(self).total += 1
Counter().inc(); Counter().inc()
print(Counter.total)
