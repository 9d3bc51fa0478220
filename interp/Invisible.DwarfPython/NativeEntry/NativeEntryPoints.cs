using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Invisible.Abi.LoaderExt;
using Invisible.Python;
using Invisible.Python.Compiler;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.DwarfPython.NativeEntry;

/// <summary>How the VM calls Python functions (INVISIBLE_PYTHON_FRAMES).</summary>
public enum PythonFrameMode
{
    /// <summary>No loader extension in the process: no stubs at all.</summary>
    Off,
    /// <summary>Stubs exist (dladdr, C callbacks) but VM→Python calls stay managed (INVISIBLE_PYTHON_FRAMES=fast).</summary>
    Fast,
    /// <summary>Every VM call of a Python function passes through the function's named native stub.</summary>
    Native,
}

/// <summary>
/// Native entry points for Python functions (DESIGN invariant 1, "one notion of function").
/// <para>Each Python module gets one loader-extension object, <c>dlcreate("python:&lt;module&gt;")</c>, grown as its
/// functions are first called. Each <c>def</c> (code object) gets a frame stub bound under its qualified name
/// (<c>fac</c>, <c>Tree.insert</c>, <c>outer.&lt;locals&gt;.inner</c>; a second def with the same name gets
/// <c>name.2</c>). In <see cref="PythonFrameMode.Native"/> the VM runs each Python call as
/// <c>stub → [UnmanagedCallersOnly] FrameEnter → Interpreter.Execute</c> (the bridge's <see cref="INativeBridge"/>
/// entry-point hook: <see cref="EntryOf"/>, <see cref="Execute"/>), so gdb backtraces, perf, dladdr and our
/// own allocation-site traces show the Python function by name between the native frames.</para>
/// <para>A Python function handed to C as a function pointer gets a second, C-callable stub from
/// <see cref="EntryFor"/>, bound as <c>name$c$token</c> (dldsym(h, name, token, "c") finds it).</para>
/// <para>Without libinvisible.so preloaded (no <c>dlcreate</c>) everything degrades to plain managed calls.</para>
/// </summary>
public static unsafe class NativeEntryPoints
{
    private sealed class ModuleObject
    {
        public readonly string Name;
        public readonly nint Handle;
        public readonly HashSet<string> Symbols = new(StringComparer.Ordinal);
        public ModuleObject(string name, nint handle) { Name = name; Handle = handle; }
    }

    private static readonly object Gate = new();
    private static readonly Dictionary<string, ModuleObject?> Modules = new(StringComparer.Ordinal);
    private static readonly Dictionary<CodeObject, nint> FrameStubs = new(ReferenceEqualityComparer.Instance);
    private static readonly Dictionary<(CodeObject, nint, int, string?), nint> CallbackStubs = new();
    private static readonly Dictionary<CodeObject, int> CallbackCounts = new(ReferenceEqualityComparer.Instance);
    private static PythonFrameMode? _mode;
    private static string _modeReason = "";
    private static string? _lastError;
    private static int _stubCount;

    [ThreadStatic] private static Frame? t_frame;
    [ThreadStatic] private static PyObject? t_result;
    [ThreadStatic] private static Exception? t_error;

    /// <summary>The current mode; decided once, from INVISIBLE_PYTHON_FRAMES and whether dlcreate exists.</summary>
    public static PythonFrameMode Mode
    {
        get
        {
            if (_mode is { } m) return m;
            return DecideMode();
        }
    }

    /// <summary>Human-readable reason for <see cref="Mode"/> (diagnostics: <c>_nativeentry.status()</c>).</summary>
    public static string ModeReason { get { _ = Mode; return _modeReason; } }
    public static int StubCount => _stubCount;
    public static string? LastError => _lastError;

    private static PythonFrameMode DecideMode()
    {
        string? env = Environment.GetEnvironmentVariable("INVISIBLE_PYTHON_FRAMES");
        PythonFrameMode m;
        if (!DlExt.Available) { m = PythonFrameMode.Off; _modeReason = DlExt.Reason; }
        else if (env == "fast") { m = PythonFrameMode.Fast; _modeReason = "INVISIBLE_PYTHON_FRAMES=fast"; }
        else if (string.IsNullOrEmpty(env) || env == "native") { m = PythonFrameMode.Native; _modeReason = env == "native" ? "INVISIBLE_PYTHON_FRAMES=native" : "default with libinvisible.so loaded"; }
        else
        {
            m = PythonFrameMode.Native;
            _modeReason = "unknown INVISIBLE_PYTHON_FRAMES='" + env + "' (expected native or fast); using native";
            Console.Error.WriteLine("invisible python: " + _modeReason);
        }
        _mode = m;
        return m;
    }

    /// <summary>The bridge's <see cref="INativeBridge.EntryOf"/>: the frame stub every VM call of <paramref name="fn"/>
    /// goes through (native mode), or -1 (fast or off mode, or no stub could be made).</summary>
    public static nint EntryOf(PyFunction fn) =>
        Mode == PythonFrameMode.Native ? (FrameStub(fn.Code, fn.Module) is var s && s != 0 ? s : -1) : -1;

    /// <summary>
    /// The bridge's <see cref="INativeBridge.CallThroughEntry"/> (Interpreter.CallFunction): run frame <paramref name="f"/>
    /// through its function's native stub <paramref name="stub"/>.
    /// Exceptions never cross the native frame: they are caught in <see cref="FrameEnter"/> and rethrown here.
    /// </summary>
    public static PyObject Execute(ThreadState ts, Frame f, nint stub)
    {
        t_frame = f; // ts is this thread's current thread state: FrameEnter finds it as ThreadState.Current
        ((delegate* unmanaged<void>)stub)();
        PyObject? r = t_result;
        if (r is null)
        {
            Exception e = t_error ?? new InvalidOperationException("native frame returned no result");
            t_error = null;
            // A plain throw (not ExceptionDispatchInfo): restoring the .NET stack trace at every Python level would make
            // propagation through n native frames O(n²); Python tracebacks live in the exception object, not here.
            throw e;
        }
        t_result = null;
        return r;
    }

    [UnmanagedCallersOnly]
    private static void FrameEnter()
    {
        Frame f = t_frame!;
        t_frame = null;
        try { t_result = Interpreter.Execute(ThreadState.Current, f); }
        catch (Exception e) { t_result = null; t_error = e; }
    }

    /// <summary>The named frame stub of a code object (created on first use), or 0 without the loader extension.</summary>
    public static nint FrameStub(CodeObject code, PyObject module)
    {
        if (!DlExt.Available) return 0;
        lock (Gate)
        {
            if (FrameStubs.TryGetValue(code, out nint have)) return have;
            nint stub = 0;
            ModuleObject? mo = ObjectFor(module);
            if (mo != null)
            {
                nint enter = (nint)(delegate* unmanaged<void>)&FrameEnter;
                stub = Emit(mo, UniqueName(mo, SymbolName(code.QualName)), rip => StubCode.FrameStub(rip, (ulong)enter), true);
            }
            FrameStubs[code] = stub;
            return stub;
        }
    }

    /// <summary>The native entry point of a Python function (its frame stub; created if needed), or 0 (<c>_nativeentry.entry</c>).</summary>
    public static nint StubOf(PyFunction f) => FrameStub(f.Code, f.Module);

    /// <summary>
    /// C-callable named entry point for Python function <paramref name="f"/> that forwards every argument register and
    /// <paramref name="stackArgBytes"/> bytes of stack arguments to <paramref name="closureCode"/> (the code pointer of
    /// the libffi closure that runs <paramref name="f"/>), so a C caller's backtrace names the Python function.
    /// <para>FOR THE NATIVE BRIDGE (the rest of interp/Invisible.DwarfPython): where a Python function is converted to a C
    /// function pointer, pass <c>NativeEntryPoints.EntryFor(pyFunction, closure.Pointer, stackBytes)</c> to C instead of
    /// <c>closure.Pointer</c>. <c>stackBytes</c> is the size of the stack-argument area of the signature (libffi's
    /// <c>ffi_cif.bytes</c>; 0 when all arguments travel in registers, the usual case: ≤ 6 integer/pointer and
    /// ≤ 8 floating arguments, no struct > 16 bytes, no long double). Pass -1 when unknown: the stub then tail-jumps
    /// (dladdr still names it, but it is no frame of its own). Keep the closure alive as long as C may call the
    /// entry: the stub cannot be freed (it is cached per (function code, closure, stackBytes, token) and reused).</para>
    /// Returns <paramref name="closureCode"/> unchanged when the loader extension is absent or binding fails.
    /// </summary>
    public static nint EntryFor(PyFunction f, nint closureCode, int stackArgBytes, string? token = null)
    {
        if (closureCode == 0 || !DlExt.Available) return closureCode;
        if (token != null && (token.Length == 0 || token.Contains('$') || token.Contains('/'))) token = null;
        var key = (f.Code, closureCode, stackArgBytes, token);
        lock (Gate)
        {
            if (CallbackStubs.TryGetValue(key, out nint have)) return have;
            ModuleObject? mo = ObjectFor(f.Module);
            if (mo == null) return closureCode;
            if (token == null)
            {
                CallbackCounts.TryGetValue(f.Code, out int n);
                CallbackCounts[f.Code] = ++n;
                token = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            string name = UniqueName(mo, SymbolName(f.Code.QualName) + "$c$" + token);
            bool framed = stackArgBytes >= 0 && stackArgBytes <= StubCode.MaxCopiedStackBytes;
            nint stub = Emit(mo, name, rip => framed ? StubCode.ForwardStub(rip, (ulong)closureCode, stackArgBytes)
                                                     : StubCode.TailStub(rip, (ulong)closureCode), framed);
            if (stub == 0) return closureCode;
            CallbackStubs[key] = stub;
            return stub;
        }
    }

    /// <summary>Frameless code bound in <paramref name="module"/>'s object (tests/diagnostics), or 0.</summary>
    internal static nint EmitFrameless(PyObject module, string symbol, Func<ulong, byte[]> assemble)
    {
        if (!DlExt.Available) return 0;
        lock (Gate)
        {
            ModuleObject? mo = ObjectFor(module);
            return mo == null ? 0 : Emit(mo, UniqueName(mo, symbol), assemble, false);
        }
    }

    /// <summary>Loaded objects made so far: (object name, number of symbols).</summary>
    public static List<(string Name, int Symbols)> Objects()
    {
        var r = new List<(string, int)>();
        lock (Gate) foreach (var kv in Modules) if (kv.Value != null) r.Add(("python:" + kv.Key, kv.Value.Symbols.Count));
        return r;
    }

    private static nint Emit(ModuleObject mo, string symbol, Func<ulong, byte[]> assemble, bool framed)
    {
        // The stubs are position independent (absolute targets in r11), but assemble at the real address anyway.
        byte[] probe = assemble(0);
        int size = (probe.Length + 15) & ~15;
        nint code = DlExt.Alloc(mo.Handle, size);
        if (code == 0) { Fail("dlalloc(" + mo.Name + "): " + DlExt.LastError()); return 0; }
        byte[] bytes = assemble((ulong)code);
        nint w = DlExt.WritePtr(mo.Handle, code);
        if (w == 0 || bytes.Length > size) { Fail("dlwriteptr(" + mo.Name + "): " + DlExt.LastError()); return 0; }
        Marshal.Copy(bytes, 0, w, bytes.Length);
        ReadOnlySpan<byte> cfi = framed ? StubCode.FramePointerCfi(bytes.Length) : ReadOnlySpan<byte>.Empty;
        if (DlExt.BindCfi(mo.Handle, symbol, code, bytes.Length, cfi) == 0)
        {
            Fail("dlbindcfi(" + mo.Name + ", " + symbol + "): " + DlExt.LastError());
            return 0;
        }
        mo.Symbols.Add(symbol);
        _stubCount++;
        return code;
    }

    private static void Fail(string message)
    {
        _lastError = message;
        if (Environment.GetEnvironmentVariable("INVISIBLE_PYTHON_FRAMES_DEBUG") == "1") Console.Error.WriteLine("invisible python: " + message);
    }

    private static ModuleObject? ObjectFor(PyObject module)
    {
        string mod = module is PyStr s ? s.Value : "__unknown__";
        if (Modules.TryGetValue(mod, out ModuleObject? mo)) return mo;
        // dlcreate: 1..200 chars, no '/', unique in the process.
        var sb = new System.Text.StringBuilder("python:", 7 + Math.Min(mod.Length, 150));
        for (int i = 0; i < mod.Length && i < 150; i++) sb.Append(mod[i] == '/' || mod[i] < ' ' ? '_' : mod[i]);
        if (mod.Length == 0) sb.Append('_');
        string name = sb.ToString();
        nint h = DlExt.Create(name);
        if (h == 0)
        {
            // The name may be taken (another interpreter in the process): try a numbered variant once.
            string alt = name + "." + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + Modules.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            h = DlExt.Create(alt);
            if (h == 0) { Fail("dlcreate(" + name + "): " + DlExt.LastError()); Modules[mod] = null; return null; }
            name = alt;
        }
        mo = new ModuleObject(name, h);
        Modules[mod] = mo;
        return mo;
    }

    /// <summary>An ELF symbol name from a qualified name: no NUL, no '$' (reserved by dldsym's naming scheme).</summary>
    private static string SymbolName(string qualName)
    {
        if (qualName.Length == 0) return "_";
        if (qualName.IndexOf('$') < 0 && qualName.IndexOf('\0') < 0) return qualName;
        return qualName.Replace('$', '_').Replace('\0', '_');
    }

    private static string UniqueName(ModuleObject mo, string name)
    {
        if (!mo.Symbols.Contains(name)) return name;
        for (int i = 2; ; i++)
        {
            string n = name + "." + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!mo.Symbols.Contains(n)) return n;
        }
    }
}
