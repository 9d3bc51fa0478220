# _bisect and _heapq: same results and heap layouts as CPython.
import _bisect as b, _heapq as h
def t(f,*a,**k):
    try: print(repr(f(*a,**k)))
    except Exception as e: print(type(e).__name__, e)
t(b.bisect_left,[1,2,3],2,-1); t(b.bisect_left,[1,2,3]); t(b.bisect_left,[1,2,3],2,0,10); t(b.bisect_left, 5, 2)
t(b.bisect_right,[1,2,3],2,hi=-5)
t(h.heappush, (), 1); t(h.heappop, []); t(h.heapify, 1); t(h.heapreplace, [], 1); t(h.heappushpop, [], 1); t(h.heappush, [])
print(sorted(x for x in dir(b) if not x.startswith('__')), sorted(x for x in dir(h) if not x.startswith('__')))
t(b.bisect_left,[1,2,3],2,key=None)
t(b.bisect_left,[(1,'a')],1,key=lambda x:x[0])
t(b.insort_left,[],1,0,None,key=None)
a = [1, 2, 2, 2, 3, 5, 8]
for x in range(10):
    print(x, b.bisect_left(a, x), b.bisect_right(a, x), b.bisect_left(a, x, 2, 5), b.bisect_right(a, x, lo=1, hi=4))
l = []
for x in [5, 1, 4, 1, 5, 9, 2, 6]:
    b.insort_right(l, x); b.insort_left(l, x + 0.5)
print(l)
class S(list):
    def insert(self, i, x): print('insert', i, x); super().insert(i, x)
s = S([1, 3]); b.insort_left(s, 2); print(s)
data = [(i * 7919) % 101 for i in range(60)]
hp = []
for x in data: h.heappush(hp, x)
print(hp)
print([h.heappop(hp) for _ in range(10)])
hp2 = list(data); h.heapify(hp2); print(hp2)
print(h.heapreplace(hp2, 50), h.heappushpop(hp2, 3), h.heappushpop(hp2, 99), hp2[:10])
m = list(data); h._heapify_max(m); print(m[:10], h._heappop_max(m), h._heapreplace_max(m, 7), m[:8])
print(h.__about__[:12])
