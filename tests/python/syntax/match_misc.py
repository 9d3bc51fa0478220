def cmd(c):
    match c.split():
        case ["go", direction]:
            return "going " + direction
        case ["pick", "up", *items]:
            return "picking " + ",".join(items)
        case ["quit" | "exit"]:
            return "bye"
        case []:
            return "empty"
        case _:
            return "unknown"
for c in ["go north", "pick up a b", "quit", "exit", "", "dance"]:
    print(cmd(c))
def kv(d):
    match d:
        case {"a": 1, **rest}:
            return rest
        case (1, 2):
            return "tuple12"
    return None
print(kv({"a": 1, "b": 2, "c": 3}), kv((1, 2)), kv([1, 2]), kv({"a": 2}))
