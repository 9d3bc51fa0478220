from collections import Counter, deque, namedtuple, defaultdict, OrderedDict
Card = namedtuple("Card", "rank suit")
hand = [Card(r, s) for r, s in [("A", "s"), ("K", "h"), ("A", "d")]]
print(Counter(c.rank for c in hand), sorted(hand)[0], hand[1].suit)
window = deque(maxlen=3)
avgs = []
for v in [1, 2, 3, 4, 5, 6]:
    window.append(v)
    avgs.append(sum(window) / len(window))
print(avgs)
graph = defaultdict(set)
for a, b in [(1, 2), (2, 3), (1, 3)]:
    graph[a].add(b)
    graph[b].add(a)
print({k: sorted(v) for k, v in sorted(graph.items())})
