from collections import deque
graph = {1: [2, 3], 2: [4], 3: [4, 5], 4: [6], 5: [6], 6: []}
def bfs(s):
    seen, q, order = {s}, deque([s]), []
    while q:
        u = q.popleft()
        order.append(u)
        for v in graph[u]:
            if v not in seen:
                seen.add(v)
                q.append(v)
    return order
def dfs(u, seen=None):
    seen = seen if seen is not None else []
    seen.append(u)
    for v in graph[u]:
        if v not in seen:
            dfs(v, seen)
    return seen
print(bfs(1), dfs(1))
