import math
print(callable(len), callable(math.sqrt), callable(lambda: 0), callable(int), callable('s'.upper), callable(None), callable([]))
print(type(len).__name__, type('s'.upper).__name__, type(math.sqrt).__name__)
