import time
t0 = time.time()
p0 = time.perf_counter()
time.sleep(0.01)
print(time.time() >= t0, time.perf_counter() - p0 >= 0.005, type(time.time()).__name__, isinstance(time.monotonic(), float))
