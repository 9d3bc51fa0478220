print(all([]), any([]), all([1, 'a', [0]]), any([0, '', None]), sum([]), sum([1.5, 2.5]), sum([[1], [2]], []))
print(sum(range(101)), sum(x * x for x in range(10)), all(c.isdigit() for c in '123'), any(c.isupper() for c in 'abC'))
