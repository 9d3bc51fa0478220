import operator
print(operator.add(1, 2), operator.mul(3, 4), operator.itemgetter(1)([5, 6]), operator.itemgetter(0, 2)("abc"))
print(sorted([(1, "b"), (0, "a")], key=operator.itemgetter(1)), operator.attrgetter("real")(5), operator.methodcaller("upper")("x"))
print(operator.neg(5), operator.not_(0), operator.contains([1], 1), operator.truediv(1, 4))
