pairs = [(1, "one"), (3, "three"), (2, "two"), (4, "four")]
print(sorted(pairs, key=lambda p: p[1]))
print(sorted(pairs, key=lambda p: -p[0]))
print(list(map(lambda x: x ** 2, range(5))), list(filter(lambda x: x % 2, range(10))))
people = [{"name": "Ann", "age": 30}, {"name": "Bob", "age": 25}, {"name": "Cy", "age": 30}]
print([p["name"] for p in sorted(people, key=lambda p: (-p["age"], p["name"]))])
compose = lambda f, g: lambda x: f(g(x))
print(compose(lambda x: x + 1, lambda x: x * 2)(5))
