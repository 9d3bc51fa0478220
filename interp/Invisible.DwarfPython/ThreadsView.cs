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
        var chain = new FrameChain(count);
        for (int i = 0; i < count; i++)
        {
            chain.Pcs[i] = t.Pcs[i];
            chain.Cfas[i] = t.Cfas[i];
            chain.Registers[i] = regs;
            if (i + 1 < count)
                regs = CfiRegisters.Caller(NativeLibraries.Image, t.Pcs[i], i == 0 && (t.Flags & FlagExactPc) != 0, regs, t.Cfas[i], t.Pcs[i + 1]);
        }
        var frames = new List<NativeFrame>();
        for (int i = 0; i < count; i++)
            AddFrames(frames, chain.Pcs[i], i == 0 && (t.Flags & FlagExactPc) != 0, new FrameContext(chain, i, 0));
        return new NativeThread(t.Tid, Comm(t.Tid), (t.Flags & FlagCurrent) != 0, frames.ToArray());
    }

    /// <summary>One pc gives one frame per inlined call (innermost first) and one for the real function; locals are
    /// read for the real function only.</summary>
    private static void AddFrames(List<NativeFrame> frames, ulong pc, bool exact, in FrameContext ctx)
    {
        IReadOnlyList<SourceFrame> fs = _symbolizer!.Symbolize(pc, isReturnAddress: !exact);
        if (fs.Count == 0)
        {
            PyDict only = Locals(pc, exact, ctx, out string[] onlyParameters);
            frames.Add(new NativeFrame(frames.Count, pc, null, null, 0, "", only, onlyParameters));
            return;
        }
        for (int k = 0; k < fs.Count; k++)
        {
            SourceFrame f = fs[k];
            string? function = f.Function;
            string[] parameters = Array.Empty<string>();
            PyDict locals = f.IsInlined ? new PyDict() : Locals(pc, exact, ctx, out parameters);
            frames.Add(new NativeFrame(frames.Count, pc, function, f.File, f.Line, f.Module, locals, parameters));
        }
    }

    // ------------------------------------------------------------------ locals through DWARF locations

    /// <summary>A thread's physical frames, innermost first, with each frame's known registers.</summary>
    private sealed class FrameChain
    {
        public FrameChain(int count) { Pcs = new ulong[count]; Cfas = new ulong[count]; Registers = new FrameRegisters[count]; }
        public ulong[] Pcs { get; }
        public ulong[] Cfas { get; }                 // 0 = unknown (the walk stopped at this frame)
        public FrameRegisters[] Registers { get; }  // rsp = the callee's CFA; outer frames: recovered through the CFI
    }

    private readonly struct FrameContext
    {
        public FrameContext(FrameChain chain, int index, int depth) { Chain = chain; Index = index; Depth = depth; }
        public FrameChain Chain { get; }
        public int Index { get; }
        public int Depth { get; }                    // entry values followed into callers so far
        public ulong Cfa => Chain.Cfas[Index];
        public FrameRegisters Registers => Chain.Registers[Index];
    }

    private static PyStr OptimizedOut => PyStr.Of("<optimized out>");

    private static PyDict Locals(ulong pc, bool exact, in FrameContext ctx, out string[] parameters)
    {
        var d = new PyDict();
        parameters = Array.Empty<string>();
        ulong lookup = exact ? pc : pc - 1; // a return address belongs to the call before it
        DwarfModule? m = NativeLibraries.Image.ModuleAt(lookup);
        if (m is null || !m.HasDwarf) return d;
        ulong dwarfPc = lookup - m.Bias;
        Function? f;
        try { f = m.FunctionAt(dwarfPc); }
        catch (DwarfException) { return d; }
        if (f is null) return d;
        ulong? frameBase = FrameBase(f, dwarfPc, ctx);
        var names = new List<string>();
        foreach (Variable v in f.Parameters)
        {
            Add(d, v, dwarfPc, m.Bias, frameBase, ctx);
            if (v.Name != null) names.Add(v.Name);
        }
        parameters = names.ToArray();
        foreach (Variable v in f.Locals) Add(d, v, dwarfPc, m.Bias, frameBase, ctx);
        return d;
    }

    private static void Add(PyDict d, Variable v, ulong dwarfPc, ulong bias, ulong? frameBase, in FrameContext ctx)
    {
        if (v.Name is null) return;
        // An outer-scope variable keeps its name when an inner block's variable of the same name has no location here.
        PyObject value = Value(v, dwarfPc, bias, frameBase, ctx);
        if (value is PyStr s && s.Value == "<optimized out>" && d.GetOrNull(v.Name) != null) return;
        d.SetItem(v.Name, value);
    }

    private static ulong? FrameBase(Function f, ulong dwarfPc, in FrameContext ctx)
    {
        if (f.FrameBase.IsEmpty) return ctx.Cfa != 0 ? ctx.Cfa : null;
        if (!f.FrameBase.TryAt(dwarfPc, out LocationRange r)) return null;
        // DW_OP_regN in a frame base means "the register's value" (not a register location).
        Result res = Evaluate(r.Ops, 0, null, ctx);
        return res.Kind switch { ResultKind.Memory or ResultKind.Value or ResultKind.Register => res.Number, _ => null };
    }

    private enum ResultKind { Fail, Memory, Register, Value }

    private readonly struct Result
    {
        public Result(ResultKind kind, ulong number) { Kind = kind; Number = number; }
        public ResultKind Kind { get; }
        public ulong Number { get; }   // address (Memory) or value (Register: the register's content; Value)
    }

    private static PyObject Value(Variable v, ulong dwarfPc, ulong bias, ulong? frameBase, in FrameContext ctx)
    {
        if (v.Location.IsEmpty || !v.Location.TryAt(dwarfPc, out LocationRange r) || r.Ops.Count == 0) return OptimizedOut;
        Result res = Evaluate(r.Ops, bias, frameBase, ctx);
        try
        {
            switch (res.Kind)
            {
                case ResultKind.Memory:
                    return NativeValues.Read((nint)res.Number, v.Type, null, false);
                case ResultKind.Register:
                case ResultKind.Value:
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

    /// <summary>A DWARF expression on a small stack. Registers are those known in the frame (all of frame 0 of an
    /// interrupted thread; in outer frames rsp, rip and the callee-saved registers recovered through the CFI); an
    /// unknown register fails (shown as optimized out, as gdb does for a clobbered caller-saved register).</summary>
    private static Result Evaluate(IReadOnlyList<LocationOp> ops, ulong bias, ulong? frameBase, in FrameContext ctx)
    {
        Span<ulong> stack = stackalloc ulong[16];
        int top = 0;
        for (int i = 0; i < ops.Count; i++)
        {
            LocationOp op = ops[i];
            byte code = op.Op;
            if (top >= stack.Length - 1) return default;
            if (code >= 0x30 && code <= 0x4f) { stack[top++] = (ulong)(code - 0x30); continue; } // DW_OP_lit
            if (code >= 0x50 && code <= 0x6f) // DW_OP_reg: the value lives in the register
            {
                if (ops.Count != 1 && !(ops.Count == 2 && ops[1].Op == 0x93)) return default;
                if (!TryRegister(code - 0x50, ctx, out ulong rv)) return default;
                return new Result(ResultKind.Register, rv);
            }
            if (code >= 0x70 && code <= 0x8f) // DW_OP_breg
            {
                if (!TryRegister(code - 0x70, ctx, out ulong rv)) return default;
                stack[top++] = rv + op.Number;
                continue;
            }
            switch (code)
            {
                case 0x03: stack[top++] = op.Number + bias; break;                // DW_OP_addr (link-time address)
                case 0x08: case 0x0a: case 0x0c: case 0x0e: case 0x10:            // constNu, constu
                case 0x09: case 0x0b: case 0x0d: case 0x0f: case 0x11:            // constNs, consts (libdw sign-extends)
                    stack[top++] = op.Number; break;
                case 0x12: if (top < 1) return default; stack[top] = stack[top - 1]; top++; break;        // dup
                case 0x13: if (top < 1) return default; top--; break;                                     // drop
                case 0x06: // deref
                {
                    if (top < 1 || !Invisible.Abi.Ffi.SafeMemory.TryRead((nint)stack[top - 1], out ulong w)) return default;
                    stack[top - 1] = w;
                    break;
                }
                case 0x1c: if (top < 2) return default; top--; stack[top - 1] -= stack[top]; break;       // minus
                case 0x22: if (top < 2) return default; top--; stack[top - 1] += stack[top]; break;       // plus
                case 0x23: if (top < 1) return default; stack[top - 1] += op.Number; break;               // plus_uconst
                case 0x90: // regx
                    if (ops.Count != 1 || !TryRegister((int)op.Number, ctx, out ulong rx)) return default;
                    return new Result(ResultKind.Register, rx);
                case 0x91: // fbreg
                    if (frameBase is not ulong fb) return default;
                    stack[top++] = fb + op.Number;
                    break;
                case 0x92: // bregx
                    if (!TryRegister((int)op.Number, ctx, out ulong bx)) return default;
                    stack[top++] = bx + op.Number2;
                    break;
                case 0xa3: case 0xf3: // entry_value, GNU_entry_value
                    if (!TryEntryValue(CallSites.EntryValueRegister(op), ctx, out ulong ev)) return default;
                    stack[top++] = ev;
                    break;
                case 0x9c: // call_frame_cfa
                    if (ctx.Cfa == 0) return default;
                    stack[top++] = ctx.Cfa;
                    break;
                case 0x9f: // stack_value: the result is the value itself
                    return top < 1 ? default : new Result(ResultKind.Value, stack[top - 1]);
                case 0x93: // piece: a single piece covering the variable is the plain location
                    if (i != ops.Count - 1) return default;
                    break;
                default: return default; // implicit pointers, TLS, multi-piece: not evaluated
            }
        }
        return top >= 1 ? new Result(ResultKind.Memory, stack[top - 1]) : default;
    }

    private static bool TryRegister(int dwarfRegister, in FrameContext ctx, out ulong value) =>
        ctx.Registers.TryGet(dwarfRegister, out value);

    private const uint CalleeSaved = (1u << 3) | (1u << 6) | (1u << 12) | (1u << 13) | (1u << 14) | (1u << 15);

    /// <summary>DW_OP_entry_value(DW_OP_regN): register N as it was when the frame's function was entered (gdb's
    /// <c>x@entry</c>). A callee-saved register had the caller's value; an argument register is what the caller
    /// passed, which the caller's call-site parameter (DW_AT_call_value) describes over the caller's frame.</summary>
    private static bool TryEntryValue(int register, in FrameContext ctx, out ulong value)
    {
        value = 0;
        int caller = ctx.Index + 1;
        if (register < 0 || caller >= ctx.Chain.Pcs.Length || ctx.Depth >= 8) return false;
        if ((CalleeSaved & (1u << register)) != 0) return ctx.Chain.Registers[caller].TryGet(register, out value);
        LocationOp[]? ops = CallSites.ParameterValue(NativeLibraries.Image, ctx.Chain.Pcs[caller], register);
        if (ops is null) return false;
        DwarfModule? m = NativeLibraries.Image.ModuleAt(ctx.Chain.Pcs[caller] - 1);
        if (m is null) return false;
        var callerCtx = new FrameContext(ctx.Chain, caller, ctx.Depth + 1);
        Result r = Evaluate(ops, m.Bias, null, callerCtx);
        // A call value is a DWARF expression: its result is the value (a register location means its content).
        if (r.Kind is ResultKind.Memory or ResultKind.Value or ResultKind.Register) { value = r.Number; return true; }
        return false;
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
