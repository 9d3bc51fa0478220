import heapq, bisect
h = []
for x in [5, 1, 8, 3, 9, 2]:
    heapq.heappush(h, x)
print([heapq.heappop(h) for _ in range(3)], h[0])
data = [9, 4, 7, 1]
heapq.heapify(data)
print(data[0], heapq.nlargest(2, [5, 1, 8, 3]), heapq.nsmallest(2, [5, 1, 8, 3]))
a = [1, 3, 5, 7]
print(bisect.bisect_left(a, 5), bisect.bisect_right(a, 5), bisect.bisect(a, 4))
bisect.insort(a, 4)
print(a)
