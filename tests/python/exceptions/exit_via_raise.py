print('start')
print("a")
raise SystemExit(5)
