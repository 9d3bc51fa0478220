using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Symbolization;

namespace Invisible.Abi.Bench;

internal static class Program
{
    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture) + " ms";
    private static string Us(double us) => us.ToString("F2", CultureInfo.InvariantCulture) + " µs";

    private static int Main(string[] args)
    {
        string path = args.Length > 0 ? args[0] : "/lib/x86_64-linux-gnu/libc.so.6";
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        Console.WriteLine("module: " + path + "  (" + Environment.ProcessorCount + " CPUs, .NET " + Environment.Version + ", JIT)");
        for (int r = 1; r <= rounds; r++)
        {
            Console.WriteLine("--- round " + r + " (fresh DwarfModule each round)");
            var sw = Stopwatch.StartNew();
            using (DwarfModule raw = DwarfModule.Open(path))
            {
                _ = raw.HasDwarf;
                Console.WriteLine("  open + find/decompress debug info: " + Ms(sw.Elapsed) + "  debug file: " + (raw.DebugFile ?? "(in file)"));
                sw.Restart();
                int units = raw.Units.Count;
                Console.WriteLine("  unit headers: " + units + " units, " + Ms(sw.Elapsed));
                sw.Restart();
                long dies = raw.RawWalk();
                Console.WriteLine("  baseline raw libdw walk (all DIEs, tag+name): " + dies + " DIEs, " + Ms(sw.Elapsed));
            }
            using DwarfModule m = DwarfModule.Open(path);
            _ = m.HasDwarf;
            _ = m.Units.Count;
            sw.Restart();
            TypeIndex idx = m.Index;
            Console.WriteLine("  TypeIndex build (all units, names of types/functions/globals): " + Ms(sw.Elapsed) + " (" + idx.EntryCount + " entries, " + idx.NameCount + " names, " + idx.DiesVisited + " DIEs visited)");

            string[] typeNames = { "struct stat", "struct timespec", "size_t", "struct _IO_FILE", "struct malloc_state", "pthread_mutex_t" };
            foreach (string tn in typeNames)
            {
                sw.Restart();
                CType? t = m.FindType(tn);
                double first = sw.Elapsed.TotalMicroseconds;
                const int N = 20000;
                sw.Restart();
                for (int i = 0; i < N; i++) t = m.FindType(tn);
                double per = sw.Elapsed.TotalMicroseconds / N;
                Console.WriteLine("  FindType(\"" + tn + "\"): first " + Us(first) + ", then " + Us(per) + " per lookup -> " + (t is null ? "null" : t.ToCString() + " size " + t.Size));
            }
            sw.Restart();
            var st = (StructType)m.FindType("struct stat")!;
            int members = st.Members.Count;
            Console.WriteLine("  struct stat members: " + members + " (" + Us(sw.Elapsed.TotalMicroseconds) + ")");
            string[] fnNames = { "qsort", "malloc", "printf", "__libc_start_main" };
            foreach (string fnName in fnNames)
            {
                sw.Restart();
                Function? f = m.FindFunction(fnName);
                double first = sw.Elapsed.TotalMicroseconds;
                const int N = 20000;
                sw.Restart();
                for (int i = 0; i < N; i++) f = m.FindFunction(fnName);
                Console.WriteLine("  FindFunction(\"" + fnName + "\"): first " + Us(first) + ", then " + Us(sw.Elapsed.TotalMicroseconds / N) + " -> " + (f?.Prototype ?? "null"));
            }
            Function q = m.FindFunction("qsort")!;
            sw.Restart();
            Function? at = m.FunctionAt(q.EntryPc + 3);
            Console.WriteLine("  FunctionAt(qsort+3): " + Us(sw.Elapsed.TotalMicroseconds) + " -> " + at?.Name);
        }

        Console.WriteLine("--- symbolizer (this process)");
        var sw2 = Stopwatch.StartNew();
        using ProcessSymbolizer sym = ProcessSymbolizer.ForCurrentProcess();
        Console.WriteLine("  ForCurrentProcess: " + Ms(sw2.Elapsed));
        nint libc = NativeLibrary.Load("libc.so.6");
        string[] exports = { "qsort", "malloc", "free", "printf", "memcpy", "strlen", "fopen", "pthread_create" };
        var addrs = new List<ulong>();
        foreach (string e in exports) addrs.Add((ulong)NativeLibrary.GetExport(libc, e) + 2);
        sw2.Restart();
        IReadOnlyList<SourceFrame> fr = sym.Symbolize(addrs[0], false);
        Console.WriteLine("  first libc pc (opens libc6-dbg): " + Ms(sw2.Elapsed) + " -> " + fr[0]);
        sw2.Restart();
        for (int i = 1; i < addrs.Count; i++) sym.Symbolize(addrs[i], false);
        Console.WriteLine("  " + (addrs.Count - 1) + " more uncached libc pcs: " + Us(sw2.Elapsed.TotalMicroseconds / (addrs.Count - 1)) + " each");
        const int M = 100000;
        sw2.Restart();
        for (int i = 0; i < M; i++) sym.Symbolize(addrs[i % addrs.Count], false);
        Console.WriteLine("  cached pcs: " + Us(sw2.Elapsed.TotalMicroseconds / M) + " each");
        return 0;
    }
}
