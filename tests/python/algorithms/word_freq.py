text = """It was the best of times it was the worst of times it was the age of wisdom
it was the age of foolishness it was the epoch of belief"""
freq = {}
for w in text.lower().split():
    freq[w] = freq.get(w, 0) + 1
top = sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
print(top, len(freq), max(freq, key=lambda k: (len(k), k)))
