using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Invisible.Abi.LoaderExt;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.DwarfPython.NativeEntry;

/// <summary>
/// <c>import _nativeentry</c>: diagnostics of the native entry points (like <c>sys.flags</c>) and a few raw helpers
/// the tests use to hand a Python function to C before/without the DwarfPython bridge (<c>import c</c>):
/// <code>
/// status()              -> {'frames': 'native'|'fast'|'off', 'reason': str, 'stubs': int, 'objects': [(name, nsyms)], 'error': str|None}
/// entry(f)              -> address of f's named native entry point (0 without the loader extension)
/// callback(f, nargs)    -> C function pointer long(*)(long x nargs), nargs 0..5, named "f$c$N" (via EntryFor)
/// forward(f, addr, stackbytes) -> NativeEntryPoints.EntryFor(f, addr, stackbytes): a stub named after f forwarding to addr
/// dladdr(addr)          -> (object path, symbol name or None) or None
/// dlopen(path)          -> handle (0 = failed);  dlsym(handle, name) -> address (handle 0 = RTLD_DEFAULT)
/// call(addr, *ints)     -> calls long addr(long, ...) with up to 6 integer arguments
/// </code>
/// The raw helpers trust their arguments (wrong addresses crash, as in C); they are not the bridge.
/// </summary>
public static unsafe class NativeEntryModule
{
    private static readonly List<(PyFunction Fn, int NArgs, InterpreterState Interp)> Callbacks = new();

    /// <summary>A new <c>_nativeentry</c> module (the bridge's module finder makes one per interpreter).</summary>
    public static PyModule Create()
    {
        var m = new PyModule("_nativeentry");
        m.AddFn("status", (a, k) => Status());
        m.AddFn("entry", (a, k) => PyInt.Get((long)NativeEntryPoints.StubOf(Fn(a, 0, "entry"))));
        m.AddFn("callback", (a, k) => Callback(Fn(a, 0, "callback"), a.Length > 1 ? (int)Ops.IndexValue(a[1]) : 2));
        m.AddFn("forward", (a, k) => PyInt.Get((long)NativeEntryPoints.EntryFor(Fn(a, 0, "forward"), Arg(a, 1), a.Length > 2 ? (int)Ops.IndexValue(a[2]) : 0)));
        m.AddFn("dladdr", (a, k) => DlAddr(Arg(a, 0)));
        m.AddFn("dlopen", (a, k) => PyInt.Get((long)DlOpen(a.Length > 0 && a[0] is PyStr s ? s.Value : null)));
        m.AddFn("dlsym", (a, k) => PyInt.Get((long)DlSym(Arg(a, 0), a.Length > 1 && a[1] is PyStr s ? s.Value : throw Ops.TypeError("dlsym(handle, name)"))));
        m.AddFn("call", (a, k) => Call(a));
        return m;
    }

    private static PyFunction Fn(ReadOnlySpan<PyObject> a, int i, string what)
        => a.Length > i && a[i] is PyFunction f ? f : throw Ops.TypeError(what + "() needs a Python function");

    private static nint Arg(ReadOnlySpan<PyObject> a, int i)
        => a.Length > i ? (nint)Ops.IndexValue(a[i]) : throw Ops.TypeError("missing integer argument");

    private static PyObject Status()
    {
        var d = new PyDict();
        PythonFrameMode mode = NativeEntryPoints.Mode;
        d.SetItem(PyStr.Of("frames"), PyStr.Of(mode == PythonFrameMode.Native ? "native" : mode == PythonFrameMode.Fast ? "fast" : "off"));
        d.SetItem(PyStr.Of("reason"), PyStr.Of(NativeEntryPoints.ModeReason));
        d.SetItem(PyStr.Of("stubs"), PyInt.Get(NativeEntryPoints.StubCount));
        var objs = new PyList();
        foreach (var (name, n) in NativeEntryPoints.Objects()) objs.Append(new PyTuple(new PyObject[] { PyStr.Of(name), PyInt.Get(n) }));
        d.SetItem(PyStr.Of("objects"), objs);
        string? err = NativeEntryPoints.LastError;
        d.SetItem(PyStr.Of("error"), err == null ? PyNone.Instance : PyStr.Of(err));
        return d;
    }

    private static PyObject Callback(PyFunction f, int nargs)
    {
        if (nargs < 0 || nargs > 5) throw Ops.ValueError("callback(): nargs must be 0..5");
        if (!DlExt.Available) throw Ops.Exc(PyBaseException.All["RuntimeError"], "callback(): " + DlExt.Reason);
        int id;
        lock (Callbacks) { id = Callbacks.Count; Callbacks.Add((f, nargs, ThreadState.Current.Interp)); }
        nint enter = (nint)(delegate* unmanaged<long, long, long, long, long, long, long>)&CallbackEnter;
        // The "closure": a frameless trampoline that prepends the callback id, standing in for a libffi closure.
        nint tramp = NativeEntryPoints.EmitFrameless(f.Module, f.Code.QualName.Replace('$', '_') + "$trampoline$" + id,
                                                     rip => StubCode.IdTrampoline(rip, (ulong)id, (ulong)enter));
        if (tramp == 0) throw Ops.Exc(PyBaseException.All["RuntimeError"], "callback(): " + (NativeEntryPoints.LastError ?? "no code"));
        return PyInt.Get((long)NativeEntryPoints.EntryFor(f, tramp, 0));
    }

    [UnmanagedCallersOnly]
    private static long CallbackEnter(long id, long a0, long a1, long a2, long a3, long a4)
    {
        nint guard = Invisible.Abi.Ffi.FaultGuard.Suspend(); // managed code inside a native call: see FfiClosure
        try
        {
            PyFunction f; int n; InterpreterState interp;
            lock (Callbacks) (f, n, interp) = Callbacks[(int)id];
            // a callback may come on any thread: run it with this thread's state in the function's interpreter, holding its lock
            using ThreadEntry te = interp.Enter();
            InterpreterLock.Entry held = interp.Lock.EnterCallback(te.State);
            try
            {
                var args = new PyObject[n];
                long* raw = stackalloc long[5] { a0, a1, a2, a3, a4 };
                for (int i = 0; i < n; i++) args[i] = PyInt.Get(raw[i]);
                PyObject r = f.Call(args, null);
                if (r is PyBool b) return b == PyBool.True ? 1 : 0;
                if (r is PyInt) return Ops.IndexValue(r);
                return 0;
            }
            finally { interp.Lock.ExitCallback(te.State, held); }
        }
        catch (Exception e)
        {
            string msg = e is PyException pe ? pe.Value.Type.Name + ": " + Ops.Str(pe.Value) : e.GetType().Name + ": " + e.Message;
            Console.Error.WriteLine("_nativeentry callback: exception ignored: " + msg);
            return 0;
        }
        finally { Invisible.Abi.Ffi.FaultGuard.Resume(guard); }
    }

    private static PyObject DlAddr(nint addr)
    {
        if (!Dl.Addr(addr, out string? file, out string? symbol, out _)) return PyNone.Instance;
        PyObject sym = symbol == null ? PyNone.Instance : PyStr.Of(symbol);
        return new PyTuple(new PyObject[] { PyStr.Of(file ?? ""), sym });
    }

    private static nint DlOpen(string? path) => path == null ? 0 : Dl.Open(path, Dl.RTLD_NOW);

    private static nint DlSym(nint handle, string name) => Dl.Sym(handle, name);

    private static PyObject Call(ReadOnlySpan<PyObject> a)
    {
        if (a.Length < 1 || a.Length > 7) throw Ops.TypeError("call(addr, *args): 0..6 integer arguments");
        nint fn = (nint)Ops.IndexValue(a[0]);
        if (fn == 0) throw Ops.ValueError("call(): NULL function");
        long* v = stackalloc long[6];
        for (int i = 0; i < 6; i++) v[i] = i + 1 < a.Length ? Ops.IndexValue(a[i + 1]) : 0;
        long r = ((delegate* unmanaged<long, long, long, long, long, long, long>)fn)(v[0], v[1], v[2], v[3], v[4], v[5]);
        return PyInt.Get(r);
    }
}
