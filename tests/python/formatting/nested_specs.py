# nested replacement fields in format specs, format_map with __missing__
print("{:{}{}{}}".format(3.14159, ">", 10, ".3"))
print("{0:{1}}|".format("ab", 6))
print("{:{width}.{prec}f}".format(2.71828, width=9, prec=2))
print("{a:{fill}^{w}}".format(a="mid", fill="*", w=9))
print("{:{}}".format(7, "04"))
try:
    "{:{:{}}}".format(1, 2, 3)
except ValueError as e:
    print("ValueError:", e)

class Default(dict):
    def __missing__(self, key):
        return "<" + key + ">"
print("{name} is {age}".format_map(Default(name="Ann")))
print("{x.real} {y[0]}".format_map({"x": 3, "y": [9]}))
try:
    "{0}".format_map({})
except ValueError as e:
    print("ValueError:", e)
try:
    "{nope}".format_map({})
except KeyError as e:
    print("KeyError:", e)

class Mapping:
    def __getitem__(self, key):
        return key.upper()
print("{abc}-{de}".format_map(Mapping()))
