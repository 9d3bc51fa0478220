# the bracket is never closed: that error wins over the missing-comma hint
values = [1, 2
other = 3
