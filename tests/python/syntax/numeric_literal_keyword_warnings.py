# A number directly followed by a keyword ("1if", "0xfor") tokenizes but warns (CPython 3.11's
# verify_end_of_number): a SyntaxWarning "invalid KIND literal" through the warnings module, a SyntaxError
# when warnings are errors; a number followed by another name is a SyntaxError at once.
import warnings

cases = ['0xfor x', '1if x else y', '[0o7for x in ()]', '0b1in x', '1.not in x', '1e3or x', '1jand x',
         'x if 0xfelse y', '1 if x else y', '0xfand x', '9spam']
for src in cases:
    for mode in ('eval', 'exec'):
        with warnings.catch_warnings(record=True) as warns:
            warnings.simplefilter('always')
            try:
                compile(src, '<case>', mode)
                outcome = 'compiled'
            except SyntaxError as e:
                outcome = 'SyntaxError: ' + e.msg
        print(repr(src), mode, outcome, [(w.category.__name__, str(w.message), w.lineno) for w in warns])
        with warnings.catch_warnings():
            warnings.simplefilter('error', SyntaxWarning)
            try:
                compile(src, '<case>', mode)
                print('   compiled with warnings as errors')
            except SyntaxError as e:
                print('   error:', e.msg, e.lineno)
