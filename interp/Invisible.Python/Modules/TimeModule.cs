using System;
using System.Runtime.InteropServices;
using System.Text;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;
using ThreadState = Invisible.Python.Vm.ThreadState;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>time</c> (Modules/timemodule.c) over the C library, as CPython's: the clocks through
/// <c>clock_gettime</c> (<c>time</c>, <c>monotonic</c>, <c>perf_counter</c>, <c>process_time</c>, <c>thread_time</c>
/// and their <c>_ns</c> forms, <c>clock_gettime</c>, <c>get_clock_info</c>), <c>struct_time</c> through
/// <c>gmtime_r</c>/<c>localtime_r</c>/<c>mktime</c>, <c>strftime</c> through the C <c>strftime</c> (so every directive
/// and the locale are the C library's), <c>asctime</c>/<c>ctime</c>, the zone (<c>tzname</c>, <c>timezone</c>,
/// <c>altzone</c>, <c>daylight</c>, <c>tzset</c>), <c>strptime</c> through Lib's <c>_strptime</c>.
/// <c>sleep</c> gives the interpreter lock up while it waits, and a signal handler or Ctrl-C ends it early
/// (<see cref="Thread.Blocking"/>).
/// </summary>
public static partial class TimeModule
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Tm
    {
        public int Sec, Min, Hour, Mday, Mon, Year, Wday, Yday, Isdst;
        public long Gmtoff;
        public nint Zone;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Sec, Nsec;
    }

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int clock_gettime(int clock, out Timespec ts);
    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int clock_getres(int clock, out Timespec ts);
    [LibraryImport("libc.so.6")]
    private static partial nint gmtime_r(in long t, out Tm tm);
    [LibraryImport("libc.so.6")]
    private static partial nint localtime_r(in long t, out Tm tm);
    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial long mktime(ref Tm tm);
    [LibraryImport("libc.so.6")]
    private static unsafe partial nuint strftime(byte* s, nuint max, byte* format, in Tm tm);
    [LibraryImport("libc.so.6")]
    private static partial void tzset();

    private const int ClockRealtime = 0, ClockMonotonic = 1, ClockProcessCputime = 2, ClockThreadCputime = 3,
        ClockMonotonicRaw = 4, ClockBoottime = 7, ClockTai = 11;

    public static readonly StructSeq StructTime = new("time", "struct_time",
        new[] { "tm_year", "tm_mon", "tm_mday", "tm_hour", "tm_min", "tm_sec", "tm_wday", "tm_yday", "tm_isdst", "tm_zone", "tm_gmtoff" }, 9);

    private static readonly ArgParser SleepArgs = new("sleep", "secs, /");
    private static readonly ArgParser TimeArg = new("gmtime", "seconds=None, /");
    private static readonly ArgParser LocalArg = new("localtime", "seconds=None, /");
    private static readonly ArgParser CtimeArg = new("ctime", "seconds=None, /");
    private static readonly ArgParser AsctimeArg = new("asctime", "time=None, /");
    private static readonly ArgParser MktimeArg = new("mktime", "time, /");
    private static readonly ArgParser StrftimeArgs = new("strftime", "format, time=None, /");
    private static readonly ArgParser ClockArg = new("clock_gettime", "clk_id, /");
    private static readonly ArgParser ClockInfoArg = new("get_clock_info", "name, /");

    private static Timespec Now(int clock)
    {
        if (clock_gettime(clock, out var ts) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new PyException(PyBaseException.Create(PyBaseException.OSErrorType, PyInt.Get(errno), PyStr.Of(Marshal.GetPInvokeErrorMessage(errno))));
        }
        return ts;
    }

    private static PyObject Seconds(int clock) { var t = Now(clock); return new PyFloat(t.Sec + t.Nsec * 1e-9); }
    private static PyObject Nanoseconds(int clock) { var t = Now(clock); return PyInt.Get(new System.Numerics.BigInteger(t.Sec) * 1000000000 + t.Nsec); }

    public static PyModule Create()
    {
        var m = new PyModule("time");
        m.Add("struct_time", StructTime.Type);
        m.Add("CLOCK_REALTIME", PyInt.Get(ClockRealtime));
        m.Add("CLOCK_MONOTONIC", PyInt.Get(ClockMonotonic));
        m.Add("CLOCK_PROCESS_CPUTIME_ID", PyInt.Get(ClockProcessCputime));
        m.Add("CLOCK_THREAD_CPUTIME_ID", PyInt.Get(ClockThreadCputime));
        m.Add("CLOCK_MONOTONIC_RAW", PyInt.Get(ClockMonotonicRaw));
        m.Add("CLOCK_BOOTTIME", PyInt.Get(ClockBoottime));
        m.Add("CLOCK_TAI", PyInt.Get(ClockTai));
        m.AddFn("time", (a, k) => { ArgParser.NoArgs("time", a, k); return Seconds(ClockRealtime); });
        m.AddFn("time_ns", (a, k) => { ArgParser.NoArgs("time_ns", a, k); return Nanoseconds(ClockRealtime); });
        m.AddFn("monotonic", (a, k) => { ArgParser.NoArgs("monotonic", a, k); return Seconds(ClockMonotonic); });
        m.AddFn("monotonic_ns", (a, k) => { ArgParser.NoArgs("monotonic_ns", a, k); return Nanoseconds(ClockMonotonic); });
        m.AddFn("perf_counter", (a, k) => { ArgParser.NoArgs("perf_counter", a, k); return Seconds(ClockMonotonic); });
        m.AddFn("perf_counter_ns", (a, k) => { ArgParser.NoArgs("perf_counter_ns", a, k); return Nanoseconds(ClockMonotonic); });
        m.AddFn("process_time", (a, k) => { ArgParser.NoArgs("process_time", a, k); return Seconds(ClockProcessCputime); });
        m.AddFn("process_time_ns", (a, k) => { ArgParser.NoArgs("process_time_ns", a, k); return Nanoseconds(ClockProcessCputime); });
        m.AddFn("thread_time", (a, k) => { ArgParser.NoArgs("thread_time", a, k); return Seconds(ClockThreadCputime); });
        m.AddFn("thread_time_ns", (a, k) => { ArgParser.NoArgs("thread_time_ns", a, k); return Nanoseconds(ClockThreadCputime); });
        m.AddFn("clock_gettime", (a, k) => Seconds((int)Ops.IndexValue(ClockArg.Parse(a, k)[0]!)));
        m.AddFn("clock_gettime_ns", (a, k) => Nanoseconds((int)Ops.IndexValue(ClockArg.Parse(a, k)[0]!)));
        m.AddFn("clock_getres", (a, k) =>
        {
            int clock = (int)Ops.IndexValue(ClockArg.Parse(a, k)[0]!);
            if (clock_getres(clock, out var r) != 0) throw Ops.OSError(Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
            return new PyFloat(r.Sec + r.Nsec * 1e-9);
        });
        m.AddFn("get_clock_info", (a, k) => ClockInfo(ClockInfoArg.Parse(a, k).Str(0)));
        m.AddFn("sleep", (a, k) =>
        {
            PyObject arg = SleepArgs.Parse(a, k)[0]!;
            if (arg is not PyFloat && arg is not PyInt) throw Ops.TypeError($"'{arg.Type.Name}' object cannot be interpreted as an integer");
            double s = arg is PyFloat f ? f.V : (double)Ops.IndexValue(arg);
            if (double.IsNaN(s)) throw Ops.ValueError("Invalid value NaN (not a number)");
            if (s < 0) throw Ops.ValueError("sleep length must be non-negative");
            if (s > 9.2e9) throw Ops.OverflowError("timestamp out of range for platform time_t");
            ThreadState ts = ThreadState.Current;
            ts.Interp.Sys.FlushStdout();
            Thread.Blocking.Wait(ts, s, 0, static (_, ms) => { System.Threading.Thread.Sleep(ms); return false; });
            return PyNone.Instance;
        });
        m.AddFn("gmtime", (a, k) => Make(Broken(TimeT(TimeArg.Parse(a, k)[0]), utc: true)));
        m.AddFn("localtime", (a, k) => Make(Broken(TimeT(LocalArg.Parse(a, k)[0]), utc: false)));
        m.AddFn("ctime", (a, k) => PyStr.Of(Asctime(Broken(TimeT(CtimeArg.Parse(a, k)[0]), utc: false))));
        m.AddFn("asctime", (a, k) =>
        {
            PyObject? t = AsctimeArg.Parse(a, k)[0];
            Tm tm = t == null || t == PyNone.Instance ? Broken(TimeT(null), utc: false) : FromTuple(t, "asctime");
            return PyStr.Of(Asctime(tm));
        });
        m.AddFn("mktime", (a, k) =>
        {
            Tm tm = FromTuple(MktimeArg.Parse(a, k)[0]!, "mktime");
            tm.Wday = -1;
            long r = mktime(ref tm);
            if (r == -1 && tm.Wday == -1) throw Ops.OverflowError("mktime argument out of range");
            return new PyFloat(r);
        });
        m.AddFn("strftime", (a, k) =>
        {
            var args = StrftimeArgs.Parse(a, k);
            if (args[0] is not PyStr fmt) throw Ops.TypeError($"strftime() argument 1 must be str, not {args[0]!.Type.Name}");
            Tm tm = args[1] == null ? Broken(TimeT(null), utc: false) : FromTuple(args[1]!, "strftime");
            return PyStr.Of(Strftime(fmt.Value, tm));
        });
        m.AddFn("strptime", (a, k) =>
        {
            var strptime = ThreadState.Current.Interp.Imports.ImportName("_strptime", new PyDict(), PyNone.Instance, 0);
            return Ops.Call(Ops.GetAttr(strptime, PyStr.Intern("_strptime_time")), a, k);
        });
        m.AddFn("tzset", (a, k) => { ArgParser.NoArgs("tzset", a, k); SetZone(m); return PyNone.Instance; });
        SetZone(m);
        return m;
    }

    /// <summary>tzname, timezone, altzone, daylight as CPython's <c>init_timezone</c> finds them: from the zone's
    /// offsets in January and July of the current year.</summary>
    private static void SetZone(PyModule m)
    {
        tzset();
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        long year = now - now % (365L * 24 * 3600);
        long jan = year, jul = year + 182L * 24 * 3600;
        localtime_r(in jan, out Tm j);
        localtime_r(in jul, out Tm u);
        long janOff = -j.Gmtoff, julOff = -u.Gmtoff;
        string janName = Marshal.PtrToStringUTF8(j.Zone) ?? "", julName = Marshal.PtrToStringUTF8(u.Zone) ?? "";
        if (janOff < julOff)
        {
            // southern hemisphere: DST in January
            m.Add("timezone", PyInt.Get(julOff)); m.Add("altzone", PyInt.Get(janOff));
            m.Add("daylight", PyInt.Get(janOff != julOff ? 1 : 0));
            m.Add("tzname", new PyTuple(new PyObject[] { PyStr.Of(julName), PyStr.Of(janName) }));
        }
        else
        {
            m.Add("timezone", PyInt.Get(janOff)); m.Add("altzone", PyInt.Get(julOff));
            m.Add("daylight", PyInt.Get(janOff != julOff ? 1 : 0));
            m.Add("tzname", new PyTuple(new PyObject[] { PyStr.Of(janName), PyStr.Of(julName) }));
        }
    }

    private static long TimeT(PyObject? o)
    {
        if (o == null || o == PyNone.Instance) return Now(ClockRealtime).Sec;
        if (o is PyFloat f)
        {
            if (double.IsNaN(f.V)) throw Ops.ValueError("Invalid value NaN (not a number)");
            if (f.V >= 9.3e18 || f.V <= -9.3e18) throw Ops.OverflowError("timestamp out of range for platform time_t");
            return (long)f.V; // toward zero, as CPython's _PyTime_ROUND_FLOOR... for gmtime: floor
        }
        if (o is PyInt || o is PyBool) return Ops.IndexValue(o);
        throw Ops.TypeError($"'{o.Type.Name}' object cannot be interpreted as an integer");
    }

    private static Tm Broken(long t, bool utc)
    {
        Tm tm;
        nint r = utc ? gmtime_r(in t, out tm) : localtime_r(in t, out tm);
        if (r == 0) throw Ops.OverflowError("timestamp out of range for platform time_t");
        return tm;
    }

    private static PyObject Make(in Tm tm) => StructTime.Make(
        PyInt.Get(tm.Year + 1900L), PyInt.Get(tm.Mon + 1), PyInt.Get(tm.Mday), PyInt.Get(tm.Hour), PyInt.Get(tm.Min),
        PyInt.Get(tm.Sec), PyInt.Get((tm.Wday + 6) % 7), PyInt.Get(tm.Yday + 1), PyInt.Get(tm.Isdst),
        tm.Zone == 0 ? PyNone.Instance : PyStr.Of(Marshal.PtrToStringUTF8(tm.Zone) ?? ""), PyInt.Get(tm.Gmtoff));

    /// <summary>A 9-item time tuple (or struct_time) as a C <c>struct tm</c>, checked as CPython's <c>gettmarg</c>
    /// and <c>checktm</c>.</summary>
    private static Tm FromTuple(PyObject t, string fn)
    {
        if (t is not PyTuple tup || tup.Items.Length != 9)
        {
            if (t is PyTuple) throw Ops.TypeError($"{fn}(): illegal time tuple argument");
            throw Ops.TypeError("Tuple or struct_time argument required");
        }
        var it = tup.Items;
        int I(int i) => (int)Ops.IndexValue(it[i]);
        var tm = new Tm
        {
            Year = I(0) - 1900, Mon = I(1) - 1, Mday = I(2), Hour = I(3), Min = I(4), Sec = I(5),
            Wday = (I(6) + 1) % 7, Yday = I(7) - 1, Isdst = I(8),
        };
        if (ReferenceEquals(t.Type, StructTime.Type) && t.Dict is { } d)
        {
            if (d.GetOrNull("tm_gmtoff") is PyInt g) tm.Gmtoff = (long)g.V;
        }
        if (fn != "mktime")
        {
            // checktm, after CPython's normalisation of zero fields for strftime/asctime
            if (tm.Mon == -1) tm.Mon = 0;
            else if (tm.Mon < 0 || tm.Mon > 11) throw Ops.ValueError("month out of range");
            if (tm.Mday == 0) tm.Mday = 1;
            else if (tm.Mday < 0 || tm.Mday > 31) throw Ops.ValueError("day of month out of range");
            if (tm.Hour < 0 || tm.Hour > 23) throw Ops.ValueError("hour out of range");
            if (tm.Min < 0 || tm.Min > 59) throw Ops.ValueError("minute out of range");
            if (tm.Sec < 0 || tm.Sec > 61) throw Ops.ValueError("seconds out of range");
            if (tm.Wday < 0) throw Ops.ValueError("day of week out of range");
            if (tm.Yday == -1) tm.Yday = 0;
            else if (tm.Yday < 0 || tm.Yday > 365) throw Ops.ValueError("day of year out of range");
            if (tm.Isdst < -1) tm.Isdst = -1; else if (tm.Isdst > 1) tm.Isdst = 1;
        }
        return tm;
    }

    private static readonly string[] Days = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    private static readonly string[] Months = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

    private static string Asctime(in Tm tm) =>
        $"{Days[tm.Wday]} {Months[tm.Mon]} {tm.Mday,2} {tm.Hour:00}:{tm.Min:00}:{tm.Sec:00} {tm.Year + 1900}";

    private static unsafe string Strftime(string format, Tm tm)
    {
        if (format.Length == 0) return "";
        if (format.Contains('\0')) throw Ops.ValueError("embedded null character");
        byte[] fmt = Encoding.UTF8.GetBytes(format + "\0");
        // CPython grows the buffer until the result fits (an empty result may be genuine: try a few sizes).
        for (int size = 1024; size <= 256 * format.Length + 1024 * 64; size *= 4)
        {
            byte[] buf = new byte[size];
            nuint n;
            fixed (byte* b = buf)
            fixed (byte* f = fmt)
                n = strftime(b, (nuint)size, f, in tm);
            if (n > 0 || size > 256 * format.Length) return Encoding.UTF8.GetString(buf, 0, (int)n);
        }
        return "";
    }

    private static PyObject ClockInfo(string name)
    {
        (string impl, bool monotonic, bool adjustable, int clock) = name switch
        {
            "time" => ("clock_gettime(CLOCK_REALTIME)", false, true, ClockRealtime),
            "monotonic" or "perf_counter" => ("clock_gettime(CLOCK_MONOTONIC)", true, false, ClockMonotonic),
            "process_time" => ("clock_gettime(CLOCK_PROCESS_CPUTIME_ID)", true, false, ClockProcessCputime),
            "thread_time" => ("clock_gettime(CLOCK_THREAD_CPUTIME_ID)", true, false, ClockThreadCputime),
            _ => throw Ops.ValueError("unknown clock"),
        };
        clock_getres(clock, out var res);
        var ns = new PyNamespace();
        ns.Dict!.SetItem("implementation", PyStr.Of(impl));
        ns.Dict.SetItem("monotonic", PyBool.Of(monotonic));
        ns.Dict.SetItem("adjustable", PyBool.Of(adjustable));
        ns.Dict.SetItem("resolution", new PyFloat(res.Sec + res.Nsec * 1e-9));
        return ns;
    }

    /// <summary>What get_clock_info returns: CPython's <c>types.SimpleNamespace</c> (attributes, that repr).</summary>
    private sealed class PyNamespace : PyObject
    {
        private static readonly PyType NamespaceType = new("SimpleNamespace", PyType.ObjectType, null) { ModuleName = "types" };
        private readonly PyDict _dict = new();
        public override PyType Type => NamespaceType;
        public override PyDict? Dict => _dict;

        public override string Repr()
        {
            var sb = new StringBuilder("namespace(");
            bool first = true;
            foreach (var kv in _dict.Items())
            {
                if (!first) sb.Append(", ");
                first = false;
                sb.Append(Ops.Str(kv.Key)).Append('=').Append(Ops.Repr(kv.Value));
            }
            return sb.Append(')').ToString();
        }
    }
}
