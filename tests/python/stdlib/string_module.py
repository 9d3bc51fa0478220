import string
print(string.ascii_lowercase, string.digits, string.punctuation, len(string.printable))
print(string.capwords("hello big world"), string.Template("$who likes $what").substitute(who="tim", what="pie"))
print(string.Template("$a and ${b}x").safe_substitute(a=1))
