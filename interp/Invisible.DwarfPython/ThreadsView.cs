using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Query;
using Invisible.Abi.Symbolization;
using Invisible.Abi.Unwinding;
using Invisible.Python.Runtime;

namespace Invisible.DwarfPython;

/// <summary><c>process.threads</c>: every thread's stack, captured by libinvisible.so's <c>thread_backtraces</c> (the
/// other threads are stopped at a safe point, walked with the CFI unwinder, and resumed), then symbolized here with
/// the locals and parameters of each frame read through their DWARF locations. The values are read after the threads
/// are resumed: a thread that runs on may change them (a blocked thread's frames are stable), as with a debugger's
/// non-stop mode.</summary>
internal static unsafe class ThreadsView
{
    private const int RegisterCount = ThreadBacktrace.RegisterCount; // DWARF numbering: 0 rax .. 7 rsp, 8..15 r8..r15, 16 rip
    private const uint FlagCurrent = ThreadBacktrace.Current, FlagRegisters = ThreadBacktrace.HasRegisters, FlagExactPc = ThreadBacktrace.ExactPc;
    private const int MaxThreads = 512, MaxFrames = 64;

    private static ProcessSymbolizer? _symbolizer;

    /// <summary>The list of thread objects, or null when libinvisible.so (with thread_backtraces) is not loaded.</summary>
    public static PyList? Capture()
    {
        QueryApi* api = HeapView.ThreadBacktracesOrNull;
        if (api == null) return null;
        // Unmanaged buffers: the C side writes them while the other threads (our own runtime's included) are parked.
        var entries = (ThreadBacktrace*)NativeMemory.AllocZeroed((nuint)(MaxThreads * sizeof(ThreadBacktrace)));
        var pcs = (ulong*)NativeMemory.AllocZeroed((nuint)(MaxThreads * MaxFrames * 2 * sizeof(ulong)));
        try
        {
            for (int i = 0; i < MaxThreads; i++)
            {
                entries[i].Pcs = pcs + (long)i * MaxFrames * 2;
                entries[i].Cfas = entries[i].Pcs + MaxFrames;
            }
            int n = api->ThreadBacktraces(entries, MaxThreads, MaxFrames);
            if (n < 0) throw Ops.RuntimeError("process.threads: another stop of the threads is in progress");
            var seen = new HashSet<int>();
            var threads = new List<PyObject>();
            for (int i = 0; i < n; i++)
            {
                seen.Add(entries[i].Tid);
                threads.Add(Build(in entries[i]));
            }
            // Threads that were not stopped (they block the stop signal, or did not park in time): listed, no frames.
            foreach (int tid in TaskIds())
                if (!seen.Contains(tid)) threads.Add(new NativeThread(tid, Comm(tid), false, Array.Empty<NativeFrame>()));
            // In gdb's order: the main thread first, then by thread id (the order they were made, until ids wrap).
            threads.Sort(static (a, b) => ThreadOrder((NativeThread)a).CompareTo(ThreadOrder((NativeThread)b)));
            return new PyList(threads.ToArray());
        }
        finally
        {
            NativeMemory.Free(pcs);
            NativeMemory.Free(entries);
        }
    }

    private static long ThreadOrder(NativeThread t) => t.Tid == Environment.ProcessId ? long.MinValue : t.Tid;

    /// <summary>Without libinvisible.so: every thread listed, the calling thread's frames from libc's backtrace (no
    /// locals: there are no CFAs), the others without frames.</summary>
    public static PyList CallingThreadOnly(int self, ulong[] pcs)
    {
        _symbolizer ??= ProcessSymbolizer.ForCurrentProcess();
        var threads = new List<PyObject>();
        foreach (int tid in TaskIds())
        {
            var frames = new List<NativeFrame>();
            if (tid == self)
                foreach (ulong pc in pcs)
                {
                    IReadOnlyList<SourceFrame> fs = _symbolizer.Symbolize(pc, isReturnAddress: true);
                    SourceFrame? f = fs.Count > 0 ? fs[fs.Count - 1] : null;
                    frames.Add(new NativeFrame(frames.Count, pc, f?.Function, f?.File, f?.Line ?? 0, f?.Module ?? "", new PyDict(), Array.Empty<string>()));
                }
            threads.Add(new NativeThread(tid, Comm(tid), tid == self, frames.ToArray()));
        }
        return new PyList(threads.ToArray());
    }

    private static IEnumerable<int> TaskIds()
    {
        foreach (string dir in Directory.GetDirectories("/proc/self/task"))
            if (int.TryParse(Path.GetFileName(dir), out int tid)) yield return tid;
    }

    internal static string Comm(int tid)
    {
        try { return File.ReadAllText("/proc/self/task/" + tid.ToString(CultureInfo.InvariantCulture) + "/comm").TrimEnd('\n'); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    private static NativeThread Build(in ThreadBacktrace t)
    {
        _symbolizer ??= ProcessSymbolizer.ForCurrentProcess();
        int count = Math.Min(t.FrameCount, MaxFrames);
        // Frame 0's registers: all of them for a thread interrupted by the stop signal, else none (the caller's own
        // thread, a thread parked on its way out of a hook). Each outer frame's come from the CFI of the frame below.
        FrameRegisters regs;
        if ((t.Flags & FlagRegisters) != 0)
        {
            Span<ulong> values = stackalloc ulong[RegisterCount];
            for (int r = 0; r < RegisterCount; r++) values[r] = t.Registers[r];
            regs = FrameRegisters.All(values);
        }
        else
        {
            regs = FrameRegisters.StackOnly(0, count > 0 ? t.Pcs[0] : 0);
        }
        FrameChain chain = FrameChain.Build(NativeLibraries.Image, new ReadOnlySpan<ulong>(t.Pcs, count), new ReadOnlySpan<ulong>(t.Cfas, count),
            regs, (t.Flags & FlagExactPc) != 0);
        var frames = new List<NativeFrame>();
        for (int i = 0; i < count; i++)
            AddFrames(frames, chain.Pcs[i], i == 0 && chain.ExactFirst, chain, i);
        return new NativeThread(t.Tid, Comm(t.Tid), (t.Flags & FlagCurrent) != 0, frames.ToArray());
    }

    /// <summary>One pc gives one frame per inlined call (innermost first) and one for the real function; locals are
    /// read for the real function only.</summary>
    private static void AddFrames(List<NativeFrame> frames, ulong pc, bool exact, FrameChain chain, int index)
    {
        IReadOnlyList<SourceFrame> fs = _symbolizer!.Symbolize(pc, isReturnAddress: !exact);
        if (fs.Count == 0)
        {
            PyDict only = Locals(chain, index, out string[] onlyParameters);
            frames.Add(new NativeFrame(frames.Count, pc, null, null, 0, "", only, onlyParameters));
            return;
        }
        for (int k = 0; k < fs.Count; k++)
        {
            SourceFrame f = fs[k];
            string? function = f.Function;
            string[] parameters = Array.Empty<string>();
            PyDict locals = f.IsInlined ? new PyDict() : Locals(chain, index, out parameters);
            frames.Add(new NativeFrame(frames.Count, pc, function, f.File, f.Line, f.Module, locals, parameters));
        }
    }

    // ------------------------------------------------------------------ locals through DWARF locations (FrameVariables)

    private static PyStr OptimizedOut => PyStr.Of("<optimized out>");

    private static PyDict Locals(FrameChain chain, int index, out string[] parameters)
    {
        var d = new PyDict();
        parameters = Array.Empty<string>();
        Function? f = FrameVariables.FunctionAt(NativeLibraries.Image, chain, index, out DwarfModule? m, out ulong dwarfPc);
        if (f is null) return d;
        ulong? frameBase = FrameVariables.FrameBase(NativeLibraries.Image, f, dwarfPc, chain, index);
        var names = new List<string>();
        foreach (Variable v in f.Parameters)
        {
            Add(d, v, dwarfPc, m!.Bias, frameBase, chain, index);
            if (v.Name != null) names.Add(v.Name);
        }
        parameters = names.ToArray();
        foreach (Variable v in f.Locals) Add(d, v, dwarfPc, m!.Bias, frameBase, chain, index);
        return d;
    }

    private static void Add(PyDict d, Variable v, ulong dwarfPc, ulong bias, ulong? frameBase, FrameChain chain, int index)
    {
        if (v.Name is null) return;
        // An outer-scope variable keeps its name when an inner block's variable of the same name has no location here.
        PyObject value = Value(v, dwarfPc, bias, frameBase, chain, index);
        if (value is PyStr s && s.Value == "<optimized out>" && d.GetOrNull(v.Name) != null) return;
        d.SetItem(v.Name, value);
    }

    private static PyObject Value(Variable v, ulong dwarfPc, ulong bias, ulong? frameBase, FrameChain chain, int index)
    {
        VariableLocation res = FrameVariables.Locate(NativeLibraries.Image, v, dwarfPc, bias, frameBase, chain, index);
        try
        {
            switch (res.Kind)
            {
                case VariableLocationKind.Memory:
                    return NativeValues.Read((nint)res.Number, v.Type, null, false);
                case VariableLocationKind.Register:
                case VariableLocationKind.Value:
                    return FromBits(res.Number, v.Type);
                default:
                    return OptimizedOut;
            }
        }
        catch (PyException e)
        {
            return PyStr.Of("<error: " + e.Message + ">");
        }
    }

    /// <summary>A scalar held in a register or computed (DW_OP_stack_value): read from a private 8-byte copy.</summary>
    private static PyObject FromBits(ulong bits, CType type)
    {
        CType t = type.Unqualified;
        if (t is not (BaseType or PointerType or EnumType) || t.Size > 8) return OptimizedOut;
        ulong* cell = (ulong*)NativeMemory.Alloc(8);
        try
        {
            *cell = bits;
            return NativeValues.Read((nint)cell, type, null, false);
        }
        finally { NativeMemory.Free(cell); }
    }

    // ------------------------------------------------------------------ bt full

    internal static string Bt(NativeThread t)
    {
        var sb = new StringBuilder();
        sb.Append("Thread ").Append(t.Tid.ToString(CultureInfo.InvariantCulture)).Append(" \"").Append(t.Name).Append('"');
        if (t.Current) sb.Append(" (current)");
        sb.Append('\n');
        if (t.Frames.Length == 0) sb.Append("    (no frames: the thread was not stopped)\n");
        foreach (NativeFrame f in t.Frames)
        {
            sb.Append(f.Repr()).Append('\n');
            foreach (KeyValuePair<PyObject, PyObject> kv in f.Locals.Items())
                if (!f.IsParameter(kv.Key)) sb.Append("        ").Append(Ops.Str(kv.Key)).Append(" = ").Append(kv.Value is PyStr s ? s.Value : Ops.Repr(kv.Value)).Append('\n');
        }
        return sb.ToString();
    }
}

/// <summary>One thread of <c>process.threads</c>.</summary>
internal sealed class NativeThread : PyObject
{
    private static PyType? _type;
    internal static PyType TypeObj => _type ??= new PyType("thread", PyType.ObjectType, null) { ModuleName = "process" };
    public override PyType Type => TypeObj;

    public NativeThread(int tid, string name, bool current, NativeFrame[] frames) { Tid = tid; Name = name; Current = current; Frames = frames; }
    public int Tid { get; }
    public string Name { get; }
    public bool Current { get; }
    public NativeFrame[] Frames { get; }

    public override string Repr() => "<thread " + Tid.ToString(CultureInfo.InvariantCulture) + " \"" + Name + "\", " +
                                     Frames.Length.ToString(CultureInfo.InvariantCulture) + " frames" + (Current ? ", current" : "") + ">";

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        switch (name.Value)
        {
            case "tid": return PyInt.Get(Tid);
            case "name": return PyStr.Of(Name);
            case "current": return PyBool.Of(Current);
            case "frames": return new PyList(Array.ConvertAll(Frames, f => (PyObject)f));
            case "bt": return new PyBuiltinFunction("bt", (a, k) => PyStr.Of(ThreadsView.Bt(this)));
        }
        return Ops.GenericGetAttr(this, name);
    }
}

/// <summary>One frame of a thread's stack: function, file:line, module, pc and the locals at that pc.</summary>
internal sealed class NativeFrame : PyObject
{
    private static PyType? _type;
    internal static PyType TypeObj => _type ??= new PyType("frame", PyType.ObjectType, null) { ModuleName = "process" };
    public override PyType Type => TypeObj;

    public NativeFrame(int index, ulong pc, string? function, string? file, int line, string module, PyDict locals, string[] parameters)
    {
        Index = index; Pc = pc; Function = function; File = file; Line = line; Module = module; Locals = locals;
        _parameters = new HashSet<string>(parameters, StringComparer.Ordinal);
    }
    public int Index { get; }
    public ulong Pc { get; }
    public string? Function { get; }
    public string? File { get; }
    public int Line { get; }
    public string Module { get; }
    public PyDict Locals { get; }

    /// <summary>gdb's frame line: <c>#1  0x… in worker (depth=0, label=0x… "x") at w.c:12</c>.</summary>
    public override string Repr()
    {
        var sb = new StringBuilder();
        sb.Append('#').Append(Index.ToString(CultureInfo.InvariantCulture)).Append("  0x").Append(Pc.ToString("x16", CultureInfo.InvariantCulture))
          .Append(" in ").Append(Function ?? "??");
        sb.Append(" (");
        bool first = true;
        foreach (KeyValuePair<PyObject, PyObject> kv in Locals.Items())
        {
            if (!IsParameter(kv.Key)) continue;
            if (!first) sb.Append(", ");
            first = false;
            sb.Append(Ops.Str(kv.Key)).Append('=').Append(kv.Value is PyStr s ? s.Value : Ops.Repr(kv.Value));
        }
        sb.Append(')');
        if (File != null) sb.Append(" at ").Append(File).Append(':').Append(Line.ToString(CultureInfo.InvariantCulture));
        else if (Module.Length > 0) sb.Append(" from ").Append(Module);
        return sb.ToString();
    }

    private readonly HashSet<string> _parameters;
    internal bool IsParameter(PyObject key) => _parameters.Contains(Ops.Str(key));

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        switch (name.Value)
        {
            case "index": return PyInt.Get(Index);
            case "pc": return PyInt.Get((long)Pc);
            case "function": return Function is null ? PyNone.Instance : PyStr.Of(Function);
            case "file": return File is null ? PyNone.Instance : PyStr.Of(File);
            case "line": return PyInt.Get(Line);
            case "module": return PyStr.Of(Module);
            case "locals": return Locals;
        }
        return Ops.GenericGetAttr(this, name);
    }
}
