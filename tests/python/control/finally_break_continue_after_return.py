# A break or continue in a finally block that runs for a return drops the return value (CPython's POP_VALUE
# block): the loop goes on with a balanced stack; a return in that finally replaces the value.
def while_continue(x):
    count = 0
    while count < 100:
        count += 1
        try:
            return count
        finally:
            if x:
                continue
    return 'end', count


def for_break(x):
    for count in [0, 1]:
        for count2 in [10, 20]:
            try:
                return count + count2
            finally:
                if x:
                    break
    return 'end', count, count2


def for_continue(x):
    for count in [0, 1]:
        try:
            return count
        finally:
            if x:
                continue
    return 'end', count


def nested_finally(x):
    total = []
    for i in range(3):
        try:
            try:
                return i
            finally:
                total.append(i)
                if x:
                    continue
        finally:
            total.append(-i)
    return total


def return_in_finally():
    for i in range(2):
        try:
            return 'body'
        finally:
            return 'finally', i


def with_break(x):
    import contextlib
    for i in range(3):
        with contextlib.nullcontext():
            try:
                return i
            finally:
                if x:
                    break
    return 'after', i


for f in (while_continue, for_break, for_continue, nested_finally, with_break):
    print(f.__name__, f(False), f(True))
print(return_in_finally())
