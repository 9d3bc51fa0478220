def tokenize(s):
    tokens, num = [], ''
    for ch in s:
        if ch.isdigit() or ch == '.':
            num += ch
            continue
        if num:
            tokens.append(('NUM', float(num)))
            num = ''
        if ch in '+-*/()':
            tokens.append(('OP', ch))
        elif not ch.isspace():
            raise ValueError(f'bad char {ch!r}')
    if num:
        tokens.append(('NUM', float(num)))
    return tokens
print(tokenize('3.5 + (2*4) - 1'))
try:
    tokenize('2 # 3')
except ValueError as e:
    print(e)
