import pkg_demo
from pkg_demo.sub import value, double
from pkg_demo import sub
print(pkg_demo.NAME, value, double(4), sub.value)
