"""Run one of CPython's own test modules (Debian's libpython3.11-testsuite, package `test`) and
print a machine-readable summary, under any Python 3.11 implementation: CPython itself (the
reference) or ours (`invisible python`).

    run_tests.py [--expected-failures FILE] [--verbose] test_int

Tests named in the expected-failures file (one test id per line, e.g.
`test.test_int.IntTestCases.test_basic`, '#' comments) are run as expected failures: when they
fail, they do not count against the module; when they pass, they are reported as unexpected
successes so the list can shrink. The last line is

    RESULT test_int ran=35 passed=33 failed=1 errors=0 skipped=1 expected_failures=0 unexpected_successes=0

`passed` counts tests that ran and succeeded (expected failures that failed are not "passed").
"""
import sys
import unittest


def load_expected_failures(path):
    names = set()
    if not path:
        return names
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.add(line)
    return names


def mark_expected_failures(suite, names):
    """Wrap the listed tests' methods in unittest.expectedFailure (on the instance, not the class,
    so nothing of the test module is modified)."""
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            mark_expected_failures(test, names)
            continue
        test_id = test.id()
        if test_id in names:
            method_name = getattr(test, "_testMethodName", None)
            if method_name:
                method = getattr(test, method_name)

                def run(*args, _method=method, **kwargs):
                    return _method(*args, **kwargs)
                # a function, not the bound method: expectedFailure sets an attribute on what it wraps
                setattr(test, method_name, unittest.expectedFailure(run))


def main(argv):
    expected_path = None
    verbosity = 1
    modules = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--expected-failures":
            i += 1
            expected_path = argv[i]
        elif arg == "--verbose":
            verbosity = 2
        else:
            modules.append(arg)
        i += 1
    if len(modules) != 1:
        print("usage: run_tests.py [--expected-failures FILE] [--verbose] test_NAME", file=sys.stderr)
        return 2
    name = modules[0]
    qualified = name if name.startswith("test.") else "test." + name
    short = qualified[len("test."):]
    try:
        suite = unittest.defaultTestLoader.loadTestsFromName(qualified)
    except Exception as e:
        print("RESULT %s import-error %s: %s" % (short, type(e).__name__, e))
        return 1
    mark_expected_failures(suite, load_expected_failures(expected_path))
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=verbosity)
    result = runner.run(suite)
    failed = len(result.failures)
    errors = len(result.errors)
    skipped = len(result.skipped)
    expected = len(result.expectedFailures)
    unexpected = len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - errors - skipped - expected - unexpected
    for test in result.unexpectedSuccesses:
        print("UNEXPECTED-SUCCESS %s" % test.id())
    for test, _ in result.failures + result.errors:
        print("FAILED %s" % test.id())
    print("RESULT %s ran=%d passed=%d failed=%d errors=%d skipped=%d expected_failures=%d unexpected_successes=%d"
          % (short, result.testsRun, passed + unexpected, failed, errors, skipped, expected, unexpected))
    return 0 if failed == 0 and errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
