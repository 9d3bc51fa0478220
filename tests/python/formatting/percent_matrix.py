try:
    print('%d', repr(42), '%d' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%d', repr(42), type(e).__name__)
try:
    print('%d', repr(-3.75), '%d' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%d', repr(-3.75), type(e).__name__)
try:
    print('%d', repr(255), '%d' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%d', repr(255), type(e).__name__)
try:
    print('%d', repr(0), '%d' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%d', repr(0), type(e).__name__)
try:
    print('%d', repr(1e20), '%d' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%d', repr(1e20), type(e).__name__)
try:
    print('%d', repr("str"), '%d' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%d', repr("str"), type(e).__name__)
try:
    print('%d', repr(65), '%d' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%d', repr(65), type(e).__name__)
try:
    print('%5d', repr(42), '%5d' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%5d', repr(42), type(e).__name__)
try:
    print('%5d', repr(-3.75), '%5d' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%5d', repr(-3.75), type(e).__name__)
try:
    print('%5d', repr(255), '%5d' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%5d', repr(255), type(e).__name__)
try:
    print('%5d', repr(0), '%5d' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%5d', repr(0), type(e).__name__)
try:
    print('%5d', repr(1e20), '%5d' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%5d', repr(1e20), type(e).__name__)
try:
    print('%5d', repr("str"), '%5d' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%5d', repr("str"), type(e).__name__)
try:
    print('%5d', repr(65), '%5d' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%5d', repr(65), type(e).__name__)
try:
    print('%-5d|', repr(42), '%-5d|' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%-5d|', repr(42), type(e).__name__)
try:
    print('%-5d|', repr(-3.75), '%-5d|' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%-5d|', repr(-3.75), type(e).__name__)
try:
    print('%-5d|', repr(255), '%-5d|' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%-5d|', repr(255), type(e).__name__)
try:
    print('%-5d|', repr(0), '%-5d|' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%-5d|', repr(0), type(e).__name__)
try:
    print('%-5d|', repr(1e20), '%-5d|' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%-5d|', repr(1e20), type(e).__name__)
try:
    print('%-5d|', repr("str"), '%-5d|' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%-5d|', repr("str"), type(e).__name__)
try:
    print('%-5d|', repr(65), '%-5d|' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%-5d|', repr(65), type(e).__name__)
try:
    print('%05d', repr(42), '%05d' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%05d', repr(42), type(e).__name__)
try:
    print('%05d', repr(-3.75), '%05d' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%05d', repr(-3.75), type(e).__name__)
try:
    print('%05d', repr(255), '%05d' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%05d', repr(255), type(e).__name__)
try:
    print('%05d', repr(0), '%05d' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%05d', repr(0), type(e).__name__)
try:
    print('%05d', repr(1e20), '%05d' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%05d', repr(1e20), type(e).__name__)
try:
    print('%05d', repr("str"), '%05d' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%05d', repr("str"), type(e).__name__)
try:
    print('%05d', repr(65), '%05d' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%05d', repr(65), type(e).__name__)
try:
    print('%x', repr(42), '%x' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%x', repr(42), type(e).__name__)
try:
    print('%x', repr(-3.75), '%x' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%x', repr(-3.75), type(e).__name__)
try:
    print('%x', repr(255), '%x' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%x', repr(255), type(e).__name__)
try:
    print('%x', repr(0), '%x' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%x', repr(0), type(e).__name__)
try:
    print('%x', repr(1e20), '%x' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%x', repr(1e20), type(e).__name__)
try:
    print('%x', repr("str"), '%x' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%x', repr("str"), type(e).__name__)
try:
    print('%x', repr(65), '%x' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%x', repr(65), type(e).__name__)
try:
    print('%X', repr(42), '%X' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%X', repr(42), type(e).__name__)
try:
    print('%X', repr(-3.75), '%X' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%X', repr(-3.75), type(e).__name__)
try:
    print('%X', repr(255), '%X' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%X', repr(255), type(e).__name__)
try:
    print('%X', repr(0), '%X' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%X', repr(0), type(e).__name__)
try:
    print('%X', repr(1e20), '%X' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%X', repr(1e20), type(e).__name__)
try:
    print('%X', repr("str"), '%X' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%X', repr("str"), type(e).__name__)
try:
    print('%X', repr(65), '%X' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%X', repr(65), type(e).__name__)
try:
    print('%o', repr(42), '%o' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%o', repr(42), type(e).__name__)
try:
    print('%o', repr(-3.75), '%o' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%o', repr(-3.75), type(e).__name__)
try:
    print('%o', repr(255), '%o' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%o', repr(255), type(e).__name__)
try:
    print('%o', repr(0), '%o' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%o', repr(0), type(e).__name__)
try:
    print('%o', repr(1e20), '%o' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%o', repr(1e20), type(e).__name__)
try:
    print('%o', repr("str"), '%o' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%o', repr("str"), type(e).__name__)
try:
    print('%o', repr(65), '%o' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%o', repr(65), type(e).__name__)
try:
    print('%e', repr(42), '%e' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%e', repr(42), type(e).__name__)
try:
    print('%e', repr(-3.75), '%e' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%e', repr(-3.75), type(e).__name__)
try:
    print('%e', repr(255), '%e' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%e', repr(255), type(e).__name__)
try:
    print('%e', repr(0), '%e' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%e', repr(0), type(e).__name__)
try:
    print('%e', repr(1e20), '%e' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%e', repr(1e20), type(e).__name__)
try:
    print('%e', repr("str"), '%e' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%e', repr("str"), type(e).__name__)
try:
    print('%e', repr(65), '%e' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%e', repr(65), type(e).__name__)
try:
    print('%.2e', repr(42), '%.2e' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%.2e', repr(42), type(e).__name__)
try:
    print('%.2e', repr(-3.75), '%.2e' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%.2e', repr(-3.75), type(e).__name__)
try:
    print('%.2e', repr(255), '%.2e' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%.2e', repr(255), type(e).__name__)
try:
    print('%.2e', repr(0), '%.2e' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%.2e', repr(0), type(e).__name__)
try:
    print('%.2e', repr(1e20), '%.2e' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%.2e', repr(1e20), type(e).__name__)
try:
    print('%.2e', repr("str"), '%.2e' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%.2e', repr("str"), type(e).__name__)
try:
    print('%.2e', repr(65), '%.2e' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%.2e', repr(65), type(e).__name__)
try:
    print('%f', repr(42), '%f' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%f', repr(42), type(e).__name__)
try:
    print('%f', repr(-3.75), '%f' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%f', repr(-3.75), type(e).__name__)
try:
    print('%f', repr(255), '%f' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%f', repr(255), type(e).__name__)
try:
    print('%f', repr(0), '%f' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%f', repr(0), type(e).__name__)
try:
    print('%f', repr(1e20), '%f' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%f', repr(1e20), type(e).__name__)
try:
    print('%f', repr("str"), '%f' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%f', repr("str"), type(e).__name__)
try:
    print('%f', repr(65), '%f' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%f', repr(65), type(e).__name__)
try:
    print('%.1f', repr(42), '%.1f' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%.1f', repr(42), type(e).__name__)
try:
    print('%.1f', repr(-3.75), '%.1f' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%.1f', repr(-3.75), type(e).__name__)
try:
    print('%.1f', repr(255), '%.1f' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%.1f', repr(255), type(e).__name__)
try:
    print('%.1f', repr(0), '%.1f' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%.1f', repr(0), type(e).__name__)
try:
    print('%.1f', repr(1e20), '%.1f' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%.1f', repr(1e20), type(e).__name__)
try:
    print('%.1f', repr("str"), '%.1f' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%.1f', repr("str"), type(e).__name__)
try:
    print('%.1f', repr(65), '%.1f' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%.1f', repr(65), type(e).__name__)
try:
    print('%10.4f', repr(42), '%10.4f' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%10.4f', repr(42), type(e).__name__)
try:
    print('%10.4f', repr(-3.75), '%10.4f' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%10.4f', repr(-3.75), type(e).__name__)
try:
    print('%10.4f', repr(255), '%10.4f' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%10.4f', repr(255), type(e).__name__)
try:
    print('%10.4f', repr(0), '%10.4f' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%10.4f', repr(0), type(e).__name__)
try:
    print('%10.4f', repr(1e20), '%10.4f' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%10.4f', repr(1e20), type(e).__name__)
try:
    print('%10.4f', repr("str"), '%10.4f' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%10.4f', repr("str"), type(e).__name__)
try:
    print('%10.4f', repr(65), '%10.4f' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%10.4f', repr(65), type(e).__name__)
try:
    print('%g', repr(42), '%g' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%g', repr(42), type(e).__name__)
try:
    print('%g', repr(-3.75), '%g' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%g', repr(-3.75), type(e).__name__)
try:
    print('%g', repr(255), '%g' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%g', repr(255), type(e).__name__)
try:
    print('%g', repr(0), '%g' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%g', repr(0), type(e).__name__)
try:
    print('%g', repr(1e20), '%g' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%g', repr(1e20), type(e).__name__)
try:
    print('%g', repr("str"), '%g' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%g', repr("str"), type(e).__name__)
try:
    print('%g', repr(65), '%g' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%g', repr(65), type(e).__name__)
try:
    print('%s', repr(42), '%s' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%s', repr(42), type(e).__name__)
try:
    print('%s', repr(-3.75), '%s' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%s', repr(-3.75), type(e).__name__)
try:
    print('%s', repr(255), '%s' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%s', repr(255), type(e).__name__)
try:
    print('%s', repr(0), '%s' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%s', repr(0), type(e).__name__)
try:
    print('%s', repr(1e20), '%s' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%s', repr(1e20), type(e).__name__)
try:
    print('%s', repr("str"), '%s' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%s', repr("str"), type(e).__name__)
try:
    print('%s', repr(65), '%s' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%s', repr(65), type(e).__name__)
try:
    print('%r', repr(42), '%r' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%r', repr(42), type(e).__name__)
try:
    print('%r', repr(-3.75), '%r' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%r', repr(-3.75), type(e).__name__)
try:
    print('%r', repr(255), '%r' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%r', repr(255), type(e).__name__)
try:
    print('%r', repr(0), '%r' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%r', repr(0), type(e).__name__)
try:
    print('%r', repr(1e20), '%r' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%r', repr(1e20), type(e).__name__)
try:
    print('%r', repr("str"), '%r' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%r', repr("str"), type(e).__name__)
try:
    print('%r', repr(65), '%r' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%r', repr(65), type(e).__name__)
try:
    print('%+d', repr(42), '%+d' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%+d', repr(42), type(e).__name__)
try:
    print('%+d', repr(-3.75), '%+d' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%+d', repr(-3.75), type(e).__name__)
try:
    print('%+d', repr(255), '%+d' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%+d', repr(255), type(e).__name__)
try:
    print('%+d', repr(0), '%+d' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%+d', repr(0), type(e).__name__)
try:
    print('%+d', repr(1e20), '%+d' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%+d', repr(1e20), type(e).__name__)
try:
    print('%+d', repr("str"), '%+d' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%+d', repr("str"), type(e).__name__)
try:
    print('%+d', repr(65), '%+d' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%+d', repr(65), type(e).__name__)
try:
    print('%5.1f%%', repr(42), '%5.1f%%' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%5.1f%%', repr(42), type(e).__name__)
try:
    print('%5.1f%%', repr(-3.75), '%5.1f%%' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%5.1f%%', repr(-3.75), type(e).__name__)
try:
    print('%5.1f%%', repr(255), '%5.1f%%' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%5.1f%%', repr(255), type(e).__name__)
try:
    print('%5.1f%%', repr(0), '%5.1f%%' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%5.1f%%', repr(0), type(e).__name__)
try:
    print('%5.1f%%', repr(1e20), '%5.1f%%' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%5.1f%%', repr(1e20), type(e).__name__)
try:
    print('%5.1f%%', repr("str"), '%5.1f%%' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%5.1f%%', repr("str"), type(e).__name__)
try:
    print('%5.1f%%', repr(65), '%5.1f%%' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%5.1f%%', repr(65), type(e).__name__)
try:
    print('%c', repr(42), '%c' % (42,))
except (TypeError, ValueError, OverflowError) as e:
    print('%c', repr(42), type(e).__name__)
try:
    print('%c', repr(-3.75), '%c' % (-3.75,))
except (TypeError, ValueError, OverflowError) as e:
    print('%c', repr(-3.75), type(e).__name__)
try:
    print('%c', repr(255), '%c' % (255,))
except (TypeError, ValueError, OverflowError) as e:
    print('%c', repr(255), type(e).__name__)
try:
    print('%c', repr(0), '%c' % (0,))
except (TypeError, ValueError, OverflowError) as e:
    print('%c', repr(0), type(e).__name__)
try:
    print('%c', repr(1e20), '%c' % (1e20,))
except (TypeError, ValueError, OverflowError) as e:
    print('%c', repr(1e20), type(e).__name__)
try:
    print('%c', repr("str"), '%c' % ("str",))
except (TypeError, ValueError, OverflowError) as e:
    print('%c', repr("str"), type(e).__name__)
try:
    print('%c', repr(65), '%c' % (65,))
except (TypeError, ValueError, OverflowError) as e:
    print('%c', repr(65), type(e).__name__)
