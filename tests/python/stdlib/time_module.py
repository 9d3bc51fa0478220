# time over the C library (outputs made independent of the clock and the zone)
import time
print(time.gmtime(0))
g = time.gmtime(1234567890)
print(g.tm_year, g.tm_mon, g.tm_mday, g.tm_hour, g.tm_wday, g.tm_yday, g.tm_zone, g.tm_gmtoff, g[:3], len(g))
print(time.strftime("%Y-%m-%d %H:%M:%S %a %A %b %B %j %% %y %p %I", g))
print(time.asctime(g), time.asctime(time.gmtime(0)))
lt = time.localtime(1234567890)
print(time.mktime(lt) == 1234567890.0)
print(time.struct_time((2020, 1, 2, 3, 4, 5, 6, 7, 0)).tm_mday, time.struct_time((2020, 1, 2, 3, 4, 5, 6, 7, 0)))
info = time.get_clock_info("monotonic")
print(info.monotonic, info.adjustable, time.get_clock_info("time").adjustable)
print(type(time.time_ns()), type(time.monotonic_ns()), type(time.perf_counter_ns()), type(time.thread_time_ns()))
a = time.monotonic(); time.sleep(0.02); b = time.monotonic()
print(b - a >= 0.02, time.process_time() >= 0, time.thread_time() >= 0)
print(isinstance(time.timezone, int), isinstance(time.tzname, tuple), time.daylight in (0, 1))
print(time.clock_gettime(time.CLOCK_MONOTONIC) > 0, time.clock_getres(time.CLOCK_MONOTONIC) > 0)
for bad in [lambda: time.sleep(-1), lambda: time.sleep("x"), lambda: time.get_clock_info("x"),
            lambda: time.strftime("%Y", (1,)), lambda: time.gmtime("x"), lambda: time.asctime((2020, 13, 1, 0, 0, 0, 0, 1, 0))]:
    try:
        bad()
    except (ValueError, TypeError, OverflowError) as e:
        print(type(e).__name__, e)
