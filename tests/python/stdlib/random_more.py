import random
random.seed(99)
print([random.randint(1, 10) for _ in range(8)])
print(random.sample(["a", "b", "c", "d", "e"], 3), round(random.random(), 10))
deck = list(range(52))
random.shuffle(deck)
print(deck[:8], random.choice(deck), random.randrange(10))
random.seed("string seed")
print(random.randint(0, 1000))
