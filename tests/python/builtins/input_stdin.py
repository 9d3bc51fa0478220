name = input("Name? ")
age = int(input())
print(f"Hello {name}, next year {age + 1}")
try:
    input()
except EOFError as e:
    print("EOFError:", e)
