from itertools import permutations, combinations, product, combinations_with_replacement
print(list(permutations("abc", 2)))
print(list(combinations(range(4), 2)))
print(list(product("ab", [1, 2])), len(list(product(range(3), repeat=3))))
print(list(combinations_with_replacement("ab", 2)), list(permutations([1, 2, 3]))[-1])
