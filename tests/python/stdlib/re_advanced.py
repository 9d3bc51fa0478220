import re
log = "2024-01-15 ERROR db: timeout\n2024-01-16 INFO web: ok\n2024-01-17 ERROR web: 500"
for m in re.finditer(r"^(\d{4})-(\d\d)-(\d\d) (\w+) (\w+): (.*)$", log, re.M):
    print(m.group(4), m.group(5), m.group(6), m.lastindex)
print(re.findall(r"ERROR (\w+)", log), re.sub(r"\d{4}-(\d\d)-(\d\d)", r"\2/\1", log.splitlines()[0]))
print(re.split(r"\s+", "  a b   c "), re.match(r"(a)(b)?", "ac").groups(), re.match(r"(a)(b)?", "ac").groups("-"))
pat = re.compile(r"(?P<word>\b\w+\b)\s+(?P=word)")
print(pat.search("this is is a test test").group("word"), bool(re.search(r"colou?r", "color")))
print(re.sub(r"(?P<first>\w+) (?P<last>\w+)", r"\g<last>, \g<first>", "John Smith"), re.findall(r"[aeiou]", "education"))
