# == on lists nested 1,000,000 deep: RecursionError in comparison, status 1, no crash.
a, b = [], []
for i in range(1000000):
    a, b = [a], [b]
print('built')
print(a == b)
