def is_pal(s):
    s = "".join(c.lower() for c in s if c.isalnum())
    return s == s[::-1]
def rle(s):
    out = []
    for c in s:
        if out and out[-1][0] == c:
            out[-1][1] += 1
        else:
            out.append([c, 1])
    return "".join(f"{c}{n}" for c, n in out)
def caesar(s, k):
    return "".join(chr((ord(c) - 97 + k) % 26 + 97) if c.islower() else c for c in s)
print(is_pal("A man, a plan, a canal: Panama"), is_pal("abc"), rle("aaabccddd"), caesar("hello world", 3), caesar(caesar("xyz", 5), -5))
