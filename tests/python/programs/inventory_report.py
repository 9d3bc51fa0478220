items = [('widget', 3, 2.5), ('gadget', 10, 1.25), ('doohickey', 0, 9.99), ('gizmo', 7, 4.0)]
print(f"{'name':<10}{'qty':>5}{'price':>8}{'total':>9}")
for name, qty, price in sorted(items, key=lambda t: -t[1] * t[2]):
    print(f"{name:<10}{qty:>5}{price:>8.2f}{qty * price:>9.2f}")
print('-' * 32)
print(f"{'sum':<10}{sum(q for _, q, _ in items):>5}{'':>8}{sum(q * p for _, q, p in items):>9.2f}")
print('out of stock:', [n for n, q, _ in items if not q])
