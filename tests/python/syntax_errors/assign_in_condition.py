# "=" where "==" was meant
x = 3
while x = 3:
    x -= 1
