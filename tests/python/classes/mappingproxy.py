# mappingproxy (types.MappingProxyType, type.__dict__): read-only, its methods, errors and repr
import types
p = types.MappingProxyType({'a': 1})
for s in ['p["b"]=1', 'del p["a"]', 'hash(p)', 'types.MappingProxyType([])', 'types.MappingProxyType(1)', 'p |= {}', 'p.x=1',
          'types.MappingProxyType()', 'types.MappingProxyType(mapping={})', 'p.get()', 'p.get(1,2,3)']:
    try:
        exec(s)
        print(s, 'ok')
    except Exception as e:
        print(s, type(e).__name__, e)
print(repr(p), str(p), p | {'c': 3}, {'c': 3} | p, type(p | {}), p == {'a': 1}, list(reversed(p)), p.copy(), type(p.copy()))
print(p.get('a'), p.get('z', 5), 'a' in p, len(p), list(p), p.keys(), p.items(), p.values())
print(sorted(n for n in dir(p) if not n.startswith('__')))
print(type(p).__module__, type(p).__qualname__, type(p)[int])
class C:
    x = 1
print(type(C.__dict__), C.__dict__ is C.__dict__, vars(C) == C.__dict__, C.__dict__['x'], type(vars(C)))
try:
    C.__dict__['y'] = 2
except TypeError as e:
    print(e)
try:
    class D(types.MappingProxyType): pass
except Exception as e:
    print(type(e).__name__, e)
print(type(int.__dict__), 'bit_length' in int.__dict__)
