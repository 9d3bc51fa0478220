# two arguments without a comma between them
print("start")
result = max(10 20)
