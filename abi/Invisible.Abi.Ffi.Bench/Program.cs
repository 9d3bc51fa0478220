using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Ffi;

namespace Invisible.Abi.Ffi.Bench;

/// <summary>
/// Usage: Invisible.Abi.Ffi.Bench FIXTURE.so [seconds-per-case]
/// Prints "case calls_per_second" lines. FIXTURE.so is tests/Invisible.Abi.Tests/fixtures/ffi_fixture.c built with -g.
/// </summary>
internal static unsafe class Program
{
    private static double _seconds = 1.0;

    private static int Main(string[] args)
    {
        if (args.Length < 1) { Console.Error.WriteLine("usage: Invisible.Abi.Ffi.Bench FIXTURE.so [seconds]"); return 2; }
        if (args.Length > 1) _seconds = double.Parse(args[1], CultureInfo.InvariantCulture);
        string lib = args[0];
        nint h = NativeLibrary.Load(lib);
        using DwarfModule dw = DwarfModule.Open(lib);
        nint add3 = NativeLibrary.GetExport(h, "add3");
        nint apply = NativeLibrary.GetExport(h, "apply");
        nint sumLongs = NativeLibrary.GetExport(h, "sum_longs");
        nint strlen = NativeLibrary.GetExport(NativeLibrary.Load("libc.so.6"), "strlen");
        FfiSignature add3Sig = FfiSignature.For(dw.FindFunction("add3")!);
        FfiSignature strlenSig = FfiSignature.Parse("size_t strlen(const char *s)");
        FfiSignature applySig = FfiSignature.For(dw.FindFunction("apply")!);
        FfiSignature sumSig = FfiSignature.For(dw.FindFunction("sum_longs")!);
        nint hello = Marshal.StringToCoTaskMemUTF8("hello, world");

        // Direct call through a C# function pointer: the floor (no libffi, no checks).
        var direct = (delegate* unmanaged<int, int, int, int>)add3;
        Report("direct_add3", n =>
        {
            long s = 0;
            for (long i = 0; i < n; i++) s += direct(1, 2, (int)i);
            return s;
        });
        Report("ffi_add3", n =>
        {
            long s = 0;
            for (long i = 0; i < n; i++) s += FfiCall.Invoke(add3, add3Sig, [1, 2, i & 0xffff]).AsInt64();
            return s;
        });
        Report("ffi_strlen_str", n =>
        {
            long s = 0;
            for (long i = 0; i < n; i++) s += (long)FfiCall.Invoke(strlen, strlenSig, ["hello, world"]).AsUInt64();
            return s;
        });
        Report("ffi_strlen_ptr", n =>
        {
            long s = 0;
            FfiValue p = FfiValue.FromPointer(hello);
            for (long i = 0; i < n; i++) s += (long)FfiCall.Invoke(strlen, strlenSig, [p]).AsUInt64();
            return s;
        });
        Report("ffi_sum_longs_var3", n =>
        {
            long s = 0;
            for (long i = 0; i < n; i++) s += FfiCall.Invoke(sumLongs, sumSig, [3, 1, 2, i & 0xffff]).AsInt64();
            return s;
        });
        using FfiClosure cb = FfiClosure.Create(dw.FindFunction("apply")!.Type.Parameters[0].Unqualified is TypedefType td
            ? FfiSignature.For((FunctionType)((PointerType)td.Target.Unqualified).Target.Unqualified)
            : FfiSignature.Parse("int(int, int)"), a => a[0].AsInt64() + a[1].AsInt64());
        Report("ffi_apply_closure", n =>
        {
            long s = 0;
            FfiValue f = cb.ToValue();
            for (long i = 0; i < n; i++) s += FfiCall.Invoke(apply, applySig, [f, 1, i & 0xffff]).AsInt64();
            return s;
        });
        long gen0 = GC.CollectionCount(0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100000; i++) FfiCall.Invoke(add3, add3Sig, [1, 2, i]);
        for (int i = 0; i < 100000; i++) FfiCall.Invoke(strlen, strlenSig, ["hello, world"]);
        long after = GC.GetAllocatedBytesForCurrentThread();
        Console.WriteLine("alloc_bytes_per_scalar_call " + ((after - before) / 200000.0).ToString("0.##", CultureInfo.InvariantCulture));
        Marshal.FreeCoTaskMem(hello);
        return 0;
    }

    private static void Report(string name, Func<long, long> body)
    {
        body(20000); // warm up (first-call binding, cif caches)
        long n = 100000;
        while (true)
        {
            var sw = Stopwatch.StartNew();
            long sink = body(n);
            double t = sw.Elapsed.TotalSeconds;
            if (t >= _seconds || n > 1L << 34)
            {
                Console.WriteLine(name + " " + (n / t).ToString("0", CultureInfo.InvariantCulture) + (sink == 42 ? " " : ""));
                return;
            }
            n = (long)(n * Math.Max(2.0, Math.Min(10.0, _seconds * 1.1 / Math.Max(t, 1e-6))));
        }
    }
}
