whitespace = ' \t\n\r\x0b\x0c'
ascii_lowercase = 'abcdefghijklmnopqrstuvwxyz'
ascii_uppercase = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
ascii_letters = ascii_lowercase + ascii_uppercase
digits = '0123456789'
hexdigits = digits + 'abcdef' + 'ABCDEF'
octdigits = '01234567'
punctuation = r'''!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~'''
printable = digits + ascii_letters + punctuation + whitespace

def capwords(s, sep=None):
    return (sep or ' ').join(x.capitalize() for x in s.split(sep))

class Template:
    delimiter = '$'
    def __init__(self, template):
        self.template = template
    def _sub(self, mapping, safe):
        import re
        def repl(m):
            name = m.group(2) or m.group(3)
            if m.group(1) is not None:
                return '$'
            if name in mapping:
                return str(mapping[name])
            if safe:
                return m.group(0)
            raise KeyError(name)
        return re.sub(r'\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([_a-zA-Z][_a-zA-Z0-9]*)\})', repl, self.template)
    def substitute(self, mapping=None, **kws):
        d = dict(mapping or {})
        d.update(kws)
        return self._sub(d, False)
    def safe_substitute(self, mapping=None, **kws):
        d = dict(mapping or {})
        d.update(kws)
        return self._sub(d, True)
