text = '''Python is a programming language that lets you work quickly
and integrate systems more effectively. Python is powerful, and fast;
plays well with others; runs everywhere; is friendly and easy to learn.'''
import re
words = re.findall(r"[a-z']+", text.lower())
print(len(words), len(set(words)), sum(map(len, words)) / len(words))
from collections import Counter
print(Counter(words).most_common(4))
print(max(words, key=len), sorted({w for w in words if len(w) > 8}))
print([len(l.split()) for l in text.splitlines()], text.count('Python'))
