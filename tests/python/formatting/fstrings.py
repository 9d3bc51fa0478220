name = "World"
n = 42
pi = 3.14159265
print(f"Hello {name}!", f"{n}", f"{n:5}|", f"{n:<5}|", f"{n:^7}|", f"{n:05d}", f"{n:x}", f"{n:#x}", f"{n:b}", f"{n:o}")
print(f"{pi:.2f}", f"{pi:10.3f}|", f"{pi:e}", f"{pi:.3e}", f"{pi:g}", f"{1234567.0:,.2f}", f"{0.25:%}", f"{0.25:.1%}")
print(f"{name!r}", f"{name!s}", f"{name:>10}", f"{name:*^11}", f"{'nested' + '!'}", f"{[1, 2][1]}", f"{ {'a': 1}['a'] }")
w = 8
print(f"{pi:{w}.{3}f}|", f"{n=}", f"{n * 2 = }", f"{{literal}}", f"{3 + 4}", f"{name.upper()}")
print(f"{1e20}", f"{1.0}", f"{-0.0}", f"{True}", f"{None}", f"{12345678901234567890:,}", f"{1234:_}")
print(f"{'abc':.2}", f"{3.0:.0f}", f"{2.5:.0f}", f"{-1.5:+.1f}", f"{42:+d}", f"{42: d}", f"{1/3:.10f}")
