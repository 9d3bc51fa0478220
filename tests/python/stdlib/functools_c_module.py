# _functools in C#: reduce and cmp_to_key (functools.KeyWrapper), CPython's messages
import _functools as f
import functools
print(functools.reduce is f.reduce, functools.cmp_to_key is f.cmp_to_key)
print(f.cmp_to_key, f.reduce, type(f.cmp_to_key(lambda a, b: 0)))
for s in ['f.reduce()', 'f.reduce(1)', 'f.reduce(None, [])', 'f.reduce(lambda a,b:a, [])', 'f.reduce(lambda a,b:a, 1)',
          'f.reduce(1,2,3,4)', 'f.cmp_to_key()', 'f.cmp_to_key(1,2)', 'f.cmp_to_key(lambda a,b:0)(1,2)',
          'f.cmp_to_key(lambda a,b:0)()', 'f.cmp_to_key(lambda a,b:0)(1) < 1', 'hash(f.cmp_to_key(lambda a,b:0)(1))',
          'f.cmp_to_key(lambda a,b:0)(1).obj', 'f.cmp_to_key(lambda a,b:0)(1).x', 'f.reduce(function=1, iterable=[])',
          'f.reduce(lambda a,b:a+b, [1,2,3], 10)', 'f.reduce(lambda a,b:a+b, [], 10)', 'f.reduce(lambda a,b:a*b, range(1, 6))',
          'f.cmp_to_key(lambda a,b:0)(1) == 2', 'type(f.cmp_to_key(lambda a,b:0)(1)).__name__',
          'type(f.cmp_to_key(lambda a,b:0)(1)).__module__', 'f.cmp_to_key(lambda a,b:"x")(1) < f.cmp_to_key(lambda a,b:0)(2)',
          'f.cmp_to_key(mycmp=lambda a,b:0)(obj=5).obj', 'type(f.cmp_to_key(lambda a,b:0))()']:
    try:
        print(s, repr(eval(s)))
    except Exception as e:
        print(s, type(e).__name__, e)
key = f.cmp_to_key(lambda x, y: (x > y) - (x < y))
print(sorted([5, 3, 9, 1], key=key), key(3) < key(4), key(3) >= key(4), key(3) == key(3))
print(sorted([5, '3', 7, 2, '0'], key=f.cmp_to_key(lambda x, y: int(x) - int(y))))
