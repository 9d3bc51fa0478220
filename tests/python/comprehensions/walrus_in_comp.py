data = [3, 8, 1, 9]
print([y for x in data if (y := x * 10) > 20], y)
total = 0
running = [total := total + v for v in data]
print(running, total)
