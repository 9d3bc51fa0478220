from collections import deque
import random
random.seed(3)
queue = deque()
served, waits = 0, []
for t in range(50):
    if random.random() < 0.6:
        queue.append(t)
    if queue and random.random() < 0.5:
        waits.append(t - queue.popleft())
        served += 1
print(served, len(queue), round(sum(waits) / len(waits), 3), max(waits))
