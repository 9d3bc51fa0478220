using System;
using System.Runtime.CompilerServices;
using System.Threading;
using Invisible.Python.Builtins;
using Invisible.Python.Compiler;
using Invisible.Python.Runtime;

namespace Invisible.Python.Vm;

/// <summary>The bytecode evaluation loop. It keeps no state of its own: everything it reads and writes per thread
/// (depth, current frame, handled exception, the interrupt request and lock flag copied from the interpreter) is in the
/// <see cref="ThreadState"/> it passes from call to call; entry points without one take the calling thread's
/// (<see cref="ThreadState.Current"/>).</summary>
public static class Interpreter
{
    /// <summary>An interrupt request of the interpreter (<see cref="InterpreterState.RequestInterrupt"/>) or an eval break
    /// (<see cref="InterpreterState.RequestEvalBreak"/>) was seen at a back-edge or frame entry: let a thread waiting
    /// for the interpreter lock run, run signal handlers, raise KeyboardInterrupt here unless another thread took it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RaiseInterrupt(ThreadState ts)
    {
        Volatile.Write(ref ts.Interrupt, 0);
        ts.Lock.YieldIfRequested(ts);
        ts.Interp.OnEvalBreak(ts);
    }

    public static PyObject CallFunction(PyFunction fn, ReadOnlySpan<PyObject> args, PyStr[]? kwnames) => CallFunction(ThreadState.Current, fn, args, kwnames);

    public static PyObject CallFunction(ThreadState ts, PyFunction fn, ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        var code = fn.Code;
        Frame f;
        // The frame of the code's last returned call when nothing kept it (Frame.Escaped); exchanged, as two threads
        // may call the same function at once.
        if (code.FreeFrame != null && Interlocked.Exchange(ref code.FreeFrame, null) is Frame free)
        {
            free.Reuse(fn.Globals, fn.Closure, fn.Builtins);
            f = free;
        }
        else f = new Frame(code, fn.Globals, fn.Closure, fn.Builtins) { Reusable = !code.IsGenerator };
        if (kwnames == null && args.Length == code.ArgCount && !code.HasVarArgs && !code.HasVarKw && code.KwOnlyCount == 0)
        {
            var fast = Unsafe.As<Slot[]>(f.Fast);
            for (int i = 0; i < args.Length; i++) fast[i].V = args[i];
        }
        else BindArgs(fn, f, args, kwnames);
        if (code.CellVars.Length > 0)
        {
            var c2a = code.Cell2Arg;
            for (int i = 0; i < c2a.Length; i++) if (c2a[i] >= 0) { f.Cells[i].Value = f.Fast[c2a[i]]; f.Fast[c2a[i]] = null; }
        }
        if (code.IsGenerator)
            return new PyGenerator(f, fn.Name, fn.QualName,
                code.IsCoroutine ? GenKind.Coroutine : code.IsAsyncGenerator ? GenKind.AsyncGenerator : GenKind.Generator);
        // Through the function's native entry point (the bridge's: gdb/perf/leak traces name Python frames), unless it has none.
        return fn.NativeEntry == -1 ? Execute(ts, f) : ExecuteThroughEntry(ts, fn, f);
    }

    /// <summary>A function not known to have no native entry point: ask the native bridge once (INativeBridge.EntryOf),
    /// then run through the entry it gave.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static PyObject ExecuteThroughEntry(ThreadState ts, PyFunction fn, Frame f)
    {
        nint entry = fn.NativeEntry;
        INativeBridge? bridge = ts.Bridge;
        if (entry == 0) entry = fn.NativeEntry = bridge?.EntryOf(fn) ?? -1;
        return entry == -1 || bridge == null ? Execute(ts, f) : bridge.CallThroughEntry(ts, fn, f, entry);
    }

    public static PyObject Execute(Frame f) => Execute(ThreadState.Current, f);

    /// <summary>Run frame <paramref name="f"/> on thread state <paramref name="ts"/> (the calling thread's) until it
    /// returns or yields: interrupt check, the interpreter lock once armed, the recursion limit, the frame chain.</summary>
    public static PyObject Execute(ThreadState ts, Frame f)
    {
        if (Volatile.Read(ref ts.Interrupt) != 0) RaiseInterrupt(ts);
        bool locked = ts.LockArmed && ts.Lock.Enter(ts); // the interpreter lock, once a native bridge armed it
        if (++ts.Depth > ts.RecursionLimit || ((ts.Depth & 7) == 0 && PythonThread.StackExhausted()))
        {
            ts.Depth--;
            if (locked) ts.Lock.Leave(ts);
            throw Ops.Exc(PyBaseException.RecursionErrorType, "maximum recursion depth exceeded");
        }
        var back = ts.CurrentFrame;
        f.Back = back;
        ts.CurrentFrame = f;
        try { return Run(ts, f); }
        finally
        {
            ts.Depth--;
            ts.CurrentFrame = back;
            // An escaped frame's f_back must stay what it was: its caller escapes too. Any other frame forgets its
            // caller (a suspended generator's f_back is None, as in CPython), and a call frame goes back to its code.
            if (f.Escaped) { if (back != null) back.Escaped = true; }
            else if (f.Reusable) f.Release();
            else f.Back = null;
            if (locked) ts.Lock.Leave(ts);
        }
    }

    private static void BindArgs(PyFunction fn, Frame f, ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        var code = fn.Code;
        var fast = f.Fast;
        int nkw = kwnames?.Length ?? 0;
        int npos = args.Length - nkw;
        int argc = code.ArgCount;
        int kwonly = code.KwOnlyCount;
        int n = Math.Min(npos, argc);
        for (int i = 0; i < n; i++) fast[i] = args[i];
        int varArgsIdx = argc + kwonly;
        int varKwIdx = varArgsIdx + (code.HasVarArgs ? 1 : 0);
        if (code.HasVarArgs)
            fast[varArgsIdx] = npos > argc ? new PyTuple(args.Slice(argc, npos - argc).ToArray()) : PyTuple.Empty;
        else if (npos > argc)
        {
            int ndef = fn.Defaults?.Length ?? 0;
            string takes = ndef > 0 ? $"from {argc - ndef} to {argc}" : argc.ToString();
            int kwGiven = 0;
            if (kwnames != null) foreach (var k in kwnames) { int idx = Array.IndexOf(code.VarNames, k.Value, 0, argc + kwonly); if (idx >= 0) kwGiven++; }
            string extra = kwGiven > 0 ? $" positional argument{(npos == 1 ? "" : "s")} (and {kwGiven} keyword-only argument{(kwGiven == 1 ? "" : "s")}) were given" : $" {(npos == 1 ? "was" : "were")} given";
            if (kwGiven > 0) throw Ops.TypeError($"{fn.QualName}() takes {takes} positional argument{(argc == 1 ? "" : "s")} but {npos}{extra}");
            throw Ops.TypeError($"{fn.QualName}() takes {takes} positional argument{(argc == 1 && ndef == 0 ? "" : "s")} but {npos}{extra}");
        }
        PyDict? kwdict = null;
        if (code.HasVarKw) { kwdict = new PyDict(); fast[varKwIdx] = kwdict; }
        if (kwnames != null)
        {
            for (int j = 0; j < kwnames.Length; j++)
            {
                var name = kwnames[j];
                int idx = -1;
                var vn = code.VarNameStrs;
                for (int k = code.PosOnlyCount; k < argc + kwonly; k++)
                    if (ReferenceEquals(vn[k], name) || vn[k].Value == name.Value) { idx = k; break; }
                if (idx < 0)
                {
                    if (kwdict != null) { kwdict.SetItem(name, args[npos + j]); continue; }
                    for (int k = 0; k < code.PosOnlyCount; k++)
                        if (vn[k].Value == name.Value)
                            throw Ops.TypeError($"{fn.QualName}() got some positional-only arguments passed as keyword arguments: '{name.Value}'");
                    throw Ops.TypeError($"{fn.QualName}() got an unexpected keyword argument '{name.Value}'");
                }
                if (fast[idx] != null) throw Ops.TypeError($"{fn.QualName}() got multiple values for argument '{name.Value}'");
                fast[idx] = args[npos + j];
            }
        }
        if (npos < argc)
        {
            var defs = fn.Defaults;
            int ndef = defs?.Length ?? 0;
            int firstDef = argc - ndef;
            System.Collections.Generic.List<string>? missing = null;
            for (int i = npos; i < argc; i++)
            {
                if (fast[i] != null) continue;
                if (i >= firstDef) fast[i] = defs![i - firstDef];
                else (missing ??= new()).Add(code.VarNames[i]);
            }
            if (missing != null) throw MissingArgs(fn.QualName, missing, "positional");
        }
        if (kwonly > 0)
        {
            System.Collections.Generic.List<string>? missing = null;
            for (int i = argc; i < argc + kwonly; i++)
            {
                if (fast[i] != null) continue;
                var d = fn.KwDefaults?.GetOrNull(code.VarNameStrs[i]);
                if (d != null) fast[i] = d;
                else (missing ??= new()).Add(code.VarNames[i]);
            }
            if (missing != null) throw MissingArgs(fn.QualName, missing, "keyword-only");
        }
    }

    private static PyException MissingArgs(string fname, System.Collections.Generic.List<string> missing, string kind)
    {
        string names;
        if (missing.Count == 1) names = $"'{missing[0]}'";
        else if (missing.Count == 2) names = $"'{missing[0]}' and '{missing[1]}'";
        else names = string.Join(", ", missing.GetRange(0, missing.Count - 1).ConvertAll(s => $"'{s}'")) + $", and '{missing[^1]}'";
        return Ops.TypeError($"{fname}() missing {missing.Count} required {kind} argument{(missing.Count == 1 ? "" : "s")}: {names}");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static PyObject CallObj(ThreadState ts, PyObject callee, ReadOnlySpan<PyObject> args, PyStr[]? kw)
    {
        if (callee is PyFunction pf) return CallFunction(ts, pf, args, kw);
        if (callee is PyBuiltinFunction bf) return bf.Invoke(args, kw);
        return Ops.Call(callee, args, kw);
    }

    private static PyException UnboundLocal(CodeObject code, int idx)
        => Ops.Exc(PyBaseException.UnboundLocalErrorType, $"cannot access local variable '{code.VarNames[idx]}' where it is not associated with a value");

    private static PyException UnboundDeref(Frame f, int idx)
    {
        var code = f.Code;
        if (idx < code.CellVars.Length)
            return Ops.Exc(PyBaseException.UnboundLocalErrorType, $"cannot access local variable '{code.CellVars[idx]}' where it is not associated with a value");
        return Ops.NameError($"cannot access free variable '{code.FreeVars[idx - code.CellVars.Length]}' where it is not associated with a value in enclosing scope");
    }

    public static PyBaseException MakeException(PyObject o)
    {
        if (o is PyType t)
        {
            if (!t.IsSubtypeOf(PyBaseException.BaseExceptionType)) throw Ops.TypeError("exceptions must derive from BaseException");
            var inst = Ops.Call0(t);
            if (inst is not PyBaseException be) throw Ops.TypeError($"calling {t.Repr()} should have returned an instance of BaseException, not {inst.Type.Name}");
            return be;
        }
        if (o is PyBaseException e) return e;
        throw Ops.TypeError("exceptions must derive from BaseException");
    }

    private static void SetContext(ThreadState ts, PyBaseException exc)
    {
        var cur = ts.CurrentExc;
        if (cur == null || ReferenceEquals(cur, exc)) return;
        if (exc.Context != PyNone.Instance) return;
        // Avoid a new cycle through the context chain without hanging on one that exists already (CPython's
        // _PyErr_SetObject: Floyd's cycle detection, the slow pointer moves every other step).
        PyBaseException o = cur, slow = cur;
        bool moveSlow = false;
        while (o.Context is PyBaseException c)
        {
            if (ReferenceEquals(c, exc)) { o.Context = PyNone.Instance; break; }
            o = c;
            if (ReferenceEquals(o, slow)) break;
            if (moveSlow && slow.Context is PyBaseException s) slow = s;
            moveSlow = !moveSlow;
        }
        exc.Context = cur;
    }

    private static PyException Translate(Exception e)
    {
        switch (e)
        {
            case PyException pe: return pe;
            case InvalidCastException: return Ops.TypeError("bad argument type: " + e.Message);
            case InsufficientExecutionStackException: return Ops.Exc(PyBaseException.RecursionErrorType, "maximum recursion depth exceeded");
            case OutOfMemoryException: return Ops.MemoryError();
            case DivideByZeroException: return Ops.ZeroDivisionError("division by zero");
            case OverflowException: return Ops.OverflowError(e.Message);
            case System.IO.FileNotFoundException fnf: return new PyException(PyBaseException.Create(PyBaseException.FileNotFoundErrorType, PyInt.Get(2), new PyStr("No such file or directory"), new PyStr(fnf.FileName ?? "")));
            case System.IO.DirectoryNotFoundException: return new PyException(PyBaseException.Create(PyBaseException.FileNotFoundErrorType, PyInt.Get(2), new PyStr("No such file or directory")));
            case System.IO.IOException: return Ops.OSError(e.Message);
            case UnauthorizedAccessException: return Ops.Exc(PyBaseException.All["PermissionError"], e.Message);
            case ArgumentException or FormatException: return Ops.ValueError(e.Message);
            default: return Ops.Exc(PyBaseException.All["SystemError"], e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>A name from a class body's namespace that is a dict subclass (from a metaclass's __prepare__): through
    /// its __getitem__ as CPython's LOAD_NAME does, a KeyError meaning "not here".</summary>
    private static PyObject? LoadFromMapping(PyObject ns, PyStr name)
    {
        try { return Ops.GetItem(ns, name); }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.KeyErrorType)) { return null; }
    }

    /// <summary>SETUP_ANNOTATIONS: an empty __annotations__ dict in the namespace unless it has one (an exec'd
    /// namespace or a __prepare__ mapping may bring its own, whose __setitem__ then sees every annotation).</summary>
    private static void SetupAnnotations(Frame f)
    {
        var ns = f.Locals ?? f.Globals;
        var name = PyStr.Intern("__annotations__");
        if (ns is PyDict d && !d.Type.IsHeap) { if (d.GetOrNull(name) == null) d.SetItem(name, new PyDict()); return; }
        if (LoadFromMapping(ns, name) == null) Ops.SetItem(ns, name, new PyDict());
    }

    private static void DeleteFromMapping(PyObject ns, PyStr name)
    {
        try { Ops.DelItem(ns, name); }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.KeyErrorType)) { throw Ops.NameError($"name '{name.Value}' is not defined"); }
    }

    /// <summary>Run (or resume) a frame until it returns or yields. Exceptions are handled here, around
    /// <see cref="Loop"/>: the loop itself has no exception handler, so the JIT keeps ip and sp in registers.</summary>
    public static PyObject Run(ThreadState ts, Frame f)
    {
        var code = f.Code;
        PyBaseException? pending = f.ThrowIn;
        f.ThrowIn = null;
        while (true)
        {
            Exception? unhandled = null;
            try
            {
                if (pending != null) { var p = pending; pending = null; throw new PyException(p); }
                return Loop(ts, f);
            }
            catch (Exception ex)
            {
                var pex = Translate(ex);
                var exc = pex.Value;
                int ip = f.Ip;
                var stack = f.Stack;
                if (!ReferenceEquals(exc.LastFrame, f))
                {
                    exc.Traceback.Add(new TraceEntry(code.Filename, code.Lines.Length > 0 ? code.Lines[Math.Clamp(ip - 1, 0, code.Lines.Length - 1)] : 0, code.Name, f, Math.Max(ip - 1, 0) * 2));
                    exc.LastFrame = f;
                    f.Escaped = true; // the traceback keeps it (tb_frame)
                }
                SetContext(ts, exc);
                bool handled = false;
                while (f.BlockCount > 0)
                {
                    var b = f.Blocks![--f.BlockCount];
                    if (b.IsHandler) { ts.CurrentExc = b.Saved; continue; }
                    // the loop's sp is gone: clear everything above the handler's level
                    Array.Clear(stack, b.Level, stack.Length - b.Level);
                    f.PushBlock(0, b.Level, true, ts.CurrentExc);
                    ts.CurrentExc = exc;
                    stack[b.Level] = exc;
                    f.Sp = b.Level + 1;
                    f.Ip = b.Handler;
                    handled = true;
                    break;
                }
                if (!handled)
                {
                    // the value stack only: the locals stay for the traceback's frames (tb_frame.f_locals), as in
                    // CPython, until frame.clear() (traceback.clear_frames)
                    Array.Clear(stack, code.NLocals, stack.Length - code.NLocals);
                    f.Sp = 0; f.Finished = true;
                    unhandled = pex;
                }
            }
            // Thrown here, after the catch block, not from inside it: a catch block runs on top of the stack of the
            // code that threw (its frames are unwound only once the block returns), so a throw from inside it would
            // stack one more exception dispatch per Python frame the exception passes through, and a RecursionError
            // raised near the end of a small stack would overflow it on the way out.
            if (unhandled != null) throw unhandled;
        }
    }

    /// <summary>The dispatch loop: runs from f.Ip with the value stack at f.Sp until a return or yield.</summary>
    private static PyObject Loop(ThreadState ts, Frame f)
    {
        var code = f.Code;
        var ins = code.Code;
        var consts = code.Consts;
        var names = code.Names;
        var stack = f.Stack;
        // Locals and value stack (one array, exactly PyObject[]) viewed as struct slots: no covariant store checks.
        var st = Unsafe.As<Slot[]>(stack);
        int sp = f.Sp;
        int ip = f.Ip;
        PyStr[]? kw = null;
        while (true)
        {
            int word = ins[ip++];
            f.Ip = ip; // for tracebacks and frame inspection; the handler in Run reads it
            switch ((Op)(byte)word)
            {
                case Op.Nop: break;
                case Op.PopTop: st[--sp].V = null!; break;
                case Op.RotTwo: { var a = st[sp - 1].V; st[sp - 1].V = st[sp - 2].V; st[sp - 2].V = a; break; }
                case Op.RotThree: { var a = st[sp - 1].V; st[sp - 1].V = st[sp - 2].V; st[sp - 2].V = st[sp - 3].V; st[sp - 3].V = a; break; }
                case Op.RotFour: { var a = st[sp - 1].V; st[sp - 1].V = st[sp - 2].V; st[sp - 2].V = st[sp - 3].V; st[sp - 3].V = st[sp - 4].V; st[sp - 4].V = a; break; }
                case Op.DupTop: st[sp].V = st[sp - 1].V; sp++; break;
                case Op.DupTopTwo: st[sp].V = st[sp - 2].V; st[sp + 1].V = st[sp - 1].V; sp += 2; break;
                case Op.LoadConst: st[sp++].V = consts[word >> 8]; break;
                case Op.LoadFast:
                    {
                        var v = st[word >> 8].V;
                        if (v == null) throw UnboundLocal(code, word >> 8);
                        st[sp++].V = v;
                        break;
                    }
                case Op.StoreFast: st[word >> 8].V = st[--sp].V; st[sp].V = null!; break;
                case Op.DeleteFast:
                    if (st[word >> 8].V == null) throw UnboundLocal(code, word >> 8);
                    st[word >> 8].V = null!;
                    break;
                case Op.LoadDeref:
                    {
                        var v = f.Cells[word >> 8].Value;
                        if (v == null) throw UnboundDeref(f, word >> 8);
                        st[sp++].V = v;
                        break;
                    }
                case Op.StoreDeref: f.Cells[word >> 8].Value = st[--sp].V; break;
                case Op.DeleteDeref:
                    if (f.Cells[word >> 8].Value == null) throw UnboundDeref(f, word >> 8);
                    f.Cells[word >> 8].Value = null;
                    break;
                case Op.LoadClosure: st[sp++].V = f.Cells[word >> 8]; break;
                case Op.LoadClassDeref:
                    sp = DoLoadClassDeref(f, st, sp, word);
                    break;
                case Op.LoadGlobal:
                    {
                        PyObject? v = null;
                        var g = f.Globals;
                        if (code.Caches[ip - 1] is GlobalCache gc && ReferenceEquals(gc.G, g) && gc.GVer == g.Version)
                        {
                            if (gc.GIx >= 0) v = g.Values[gc.GIx];
                            else if (ReferenceEquals(gc.B, f.Builtins) && gc.BVer == f.Builtins.Version) v = f.Builtins.Values[gc.BIx];
                        }
                        if (v == null) v = LoadGlobalSlow(f, code, ip - 1, names[word >> 8]);
                        st[sp++].V = v;
                        break;
                    }
                case Op.StoreGlobal: f.Globals.SetItem(names[word >> 8], st[--sp].V); st[sp].V = null!; break;
                case Op.DeleteGlobal:
                    if (!f.Globals.Remove(names[word >> 8])) throw Ops.NameError($"name '{names[word >> 8].Value}' is not defined");
                    break;
                case Op.LoadName:
                    {
                        var name = names[word >> 8];
                        var v = (f.Locals is PyDict loc && !loc.Type.IsHeap ? loc.GetOrNull(name) : f.Locals != null ? LoadFromMapping(f.Locals, name) : null) ?? f.Globals.GetOrNull(name) ?? f.Builtins.GetOrNull(name);
                        if (v == null) throw Ops.NameNotDefined(name);
                        st[sp++].V = v;
                        break;
                    }
                case Op.StoreName:
                    if (f.Locals is PyDict sl && !sl.Type.IsHeap) sl.SetItem(names[word >> 8], st[sp - 1].V);
                    else if (f.Locals != null) Ops.SetItem(f.Locals, names[word >> 8], st[sp - 1].V); // a __prepare__ namespace's or exec mapping's __setitem__
                    else f.Globals.SetItem(names[word >> 8], st[sp - 1].V);
                    st[--sp].V = null!;
                    break;
                case Op.DeleteName:
                    if (f.Locals != null && f.Locals is not PyDict { Type.IsHeap: false }) DeleteFromMapping(f.Locals, names[word >> 8]);
                    else if (!((PyDict?)f.Locals ?? f.Globals).Remove(names[word >> 8])) throw Ops.NameError($"name '{names[word >> 8].Value}' is not defined");
                    break;
                case Op.LoadAttr:
                    {
                        var o = st[sp - 1].V;
                        st[sp - 1].V = o is PyInstance inst ? LoadInstanceAttr(inst, names[word >> 8], code, ip - 1) : Ops.GetAttr(o, names[word >> 8]);
                        break;
                    }
                case Op.StoreAttr:
                    {
                        var o = st[--sp].V;
                        var v = st[--sp].V;
                        if (o is PyInstance si && code.Caches[ip - 1] is AttrSite ss && ss.Find(si.Type) is AttrCache sc && sc.Version == PyType.GlobalVersion && sc.Kind == 1)
                        {
                            var d = si.Dict!;
                            int h = sc.Hint;
                            if ((uint)h < (uint)d.EntryLimit && ReferenceEquals(d.Keys[h], names[word >> 8])) d.Values[h] = v;
                            else if (d.TryAppendShared(names[word >> 8], v)) { }
                            else { d.SetItem(names[word >> 8], v); sc.Hint = d.FindEntry(names[word >> 8]); }
                        }
                        else if (o is PyInstance si2) StoreInstanceAttrSlow(si2, names[word >> 8], v, code, ip - 1);
                        else Ops.SetAttr(o, names[word >> 8], v);
                        st[sp].V = null!; st[sp + 1].V = null!;
                        break;
                    }
                case Op.DeleteAttr: Ops.DelAttr(st[--sp].V, names[word >> 8]); st[sp].V = null!; break;
                case Op.LoadMethod:
                    {
                        var o = st[sp - 1].V;
                        var name = names[word >> 8];
                        var m = MethodFor(o, name, code, ip - 1);
                        if (m != null)
                        {
                            st[sp - 1].V = m;
                            st[sp++].V = o;
                            break;
                        }
                        st[sp - 1].V = Ops.GetAttr(o, name);
                        st[sp++].V = null!;
                        break;
                    }
                case Op.CallMethod:
                    {
                        int n = word >> 8;
                        int b = sp - n - 2;
                        var callee = st[b].V;
                        var self = st[b + 1].V;
                        PyObject r = self != null
                            ? CallObj(ts, callee, new ReadOnlySpan<PyObject>(stack, b + 1, n + 1), kw)
                            : CallObj(ts, callee, new ReadOnlySpan<PyObject>(stack, b + 2, n), kw);
                        kw = null;
                        for (int i = b + 1; i < sp; i++) st[i].V = null!;
                        sp = b;
                        st[sp++].V = r;
                        break;
                    }
                case Op.Call:
                    {
                        int n = word >> 8;
                        int b = sp - n - 1;
                        var callee = st[b].V;
                        PyObject r;
                        if (callee is PyFunction pf) r = CallFunction(ts, pf, new ReadOnlySpan<PyObject>(stack, b + 1, n), kw);
                        else if (callee is PyBoundMethod bm && bm.Func is PyFunction bpf)
                        {
                            st[b].V = bm.Self;
                            r = CallFunction(ts, bpf, new ReadOnlySpan<PyObject>(stack, b, n + 1), kw);
                        }
                        else r = CallObj(ts, callee, new ReadOnlySpan<PyObject>(stack, b + 1, n), kw);
                        kw = null;
                        for (int i = b + 1; i < sp; i++) st[i].V = null!;
                        sp = b;
                        st[sp++].V = r;
                        break;
                    }
                case Op.KwNames: kw = code.KwNameTable[word >> 8]; break;
                case Op.CallEx:
                    sp = DoCallEx(f, st, sp, word);
                    break;
                case Op.Binary:
                case Op.Inplace:
                    {
                        var b = st[--sp].V;
                        var a = st[sp - 1].V;
                        st[sp].V = null!;
                        var op = (BinOp)(word >> 8);
                        // int/float operands (exact types) never depend on binary vs in-place
                        PyObject? r = NumberOp(op, a, b);
                        if (r == null)
                        {
                            if (op == BinOp.Add && a is PyStr sa && b is PyStr sb) r = PyStr.Of(string.Concat(sa.Value, sb.Value));
                            else r = (Op)(byte)word == Op.Binary ? Ops.BinaryOp(a, b, op) : Ops.InplaceOp(a, b, op);
                        }
                        st[sp - 1].V = r;
                        break;
                    }
                case Op.UnaryNeg: st[sp - 1].V = Ops.UnaryOp(st[sp - 1].V, UnOp.Neg); break;
                case Op.UnaryPos: st[sp - 1].V = Ops.UnaryOp(st[sp - 1].V, UnOp.Pos); break;
                case Op.UnaryInvert: st[sp - 1].V = Ops.UnaryOp(st[sp - 1].V, UnOp.Invert); break;
                case Op.UnaryNot: st[sp - 1].V = PyBool.Of(!Ops.IsTrue(st[sp - 1].V)); break;
                case Op.Compare:
                    {
                        var b = st[--sp].V;
                        var a = st[sp - 1].V;
                        st[sp].V = null!;
                        var op = (CmpOp)(word >> 8);
                        int c = NumberCompare(op, a, b);
                        if (c < 0) { st[sp - 1].V = Ops.RichCompare(a, b, op); break; }
                        // compare + conditional jump (the usual pair): branch without a bool on the stack
                        int next = ins[ip];
                        if ((Op)(byte)next == Op.PopJumpIfFalse)
                        {
                            st[--sp].V = null!;
                            ip = c == 0 ? next >> 8 : ip + 1;
                        }
                        else if ((Op)(byte)next == Op.PopJumpIfTrue)
                        {
                            st[--sp].V = null!;
                            ip = c != 0 ? next >> 8 : ip + 1;
                        }
                        else st[sp - 1].V = c != 0 ? PyBool.True : PyBool.False;
                        break;
                    }
                case Op.Is: { var b = st[--sp].V; st[sp].V = null!; st[sp - 1].V = PyBool.Of(ReferenceEquals(st[sp - 1].V, b)); break; }
                case Op.IsNot: { var b = st[--sp].V; st[sp].V = null!; st[sp - 1].V = PyBool.Of(!ReferenceEquals(st[sp - 1].V, b)); break; }
                case Op.In: { var b = st[--sp].V; st[sp].V = null!; st[sp - 1].V = PyBool.Of(Ops.Contains(b, st[sp - 1].V)); break; }
                case Op.NotIn: { var b = st[--sp].V; st[sp].V = null!; st[sp - 1].V = PyBool.Of(!Ops.Contains(b, st[sp - 1].V)); break; }
                case Op.BinarySubscr:
                    {
                        var k = st[--sp].V;
                        var o = st[sp - 1].V;
                        st[sp].V = null!;
                        if (k.GetType() == typeof(PyInt) && Unsafe.As<PyInt>(k).BigV == null)
                        {
                            long i = Unsafe.As<PyInt>(k).V;
                            if (o is PyList l && l.IsExact)
                            {
                                if (i < 0) i += l.Count;
                                if ((ulong)i >= (ulong)l.Count) throw Ops.IndexError("list index out of range");
                                st[sp - 1].V = l.Items[i];
                                break;
                            }
                            if (o is PyTuple t && t.IsExact)
                            {
                                var items = t.Items;
                                if (i < 0) i += items.Length;
                                if ((ulong)i >= (ulong)items.Length) throw Ops.IndexError("tuple index out of range");
                                st[sp - 1].V = items[i];
                                break;
                            }
                        }
                        st[sp - 1].V = Ops.GetItem(o, k);
                        break;
                    }
                case Op.StoreSubscr:
                    {
                        var k = st[--sp].V;
                        var o = st[--sp].V;
                        var v = st[--sp].V;
                        if (o is PyList l && l.IsExact && k.GetType() == typeof(PyInt) && Unsafe.As<PyInt>(k).BigV == null)
                        {
                            long i = Unsafe.As<PyInt>(k).V;
                            if (i < 0) i += l.Count;
                            if ((ulong)i >= (ulong)l.Count) throw Ops.IndexError("list assignment index out of range");
                            Slot.Of(l.Items)[i].V = v;
                        }
                        else Ops.SetItem(o, k, v);
                        st[sp].V = null!; st[sp + 1].V = null!; st[sp + 2].V = null!;
                        break;
                    }
                case Op.DeleteSubscr:
                    {
                        var k = st[--sp].V;
                        var o = st[--sp].V;
                        Ops.DelItem(o, k);
                        break;
                    }
                case Op.BuildSlice:
                    {
                        if ((word >> 8) == 3) { var step = st[--sp].V; var hi = st[--sp].V; var lo = st[--sp].V; st[sp++].V = new PySlice(lo, hi, step); }
                        else { var hi = st[--sp].V; var lo = st[--sp].V; st[sp++].V = new PySlice(lo, hi, PyNone.Instance); }
                        break;
                    }
                case Op.Jump:
                    {
                        int target = word >> 8;
                        // a backward jump closes a loop: one load to honour an interrupt request
                        if (target < ip && Volatile.Read(ref ts.Interrupt) != 0) RaiseInterrupt(ts);
                        ip = target;
                        break;
                    }
                case Op.PopJumpIfFalse:
                    {
                        var v = st[--sp].V;
                        st[sp].V = null!;
                        if (ReferenceEquals(v, PyBool.False) || (!ReferenceEquals(v, PyBool.True) && !Ops.IsTrue(v))) ip = word >> 8;
                        break;
                    }
                case Op.PopJumpIfTrue:
                    {
                        var v = st[--sp].V;
                        st[sp].V = null!;
                        if (ReferenceEquals(v, PyBool.True) || (!ReferenceEquals(v, PyBool.False) && Ops.IsTrue(v))) ip = word >> 8;
                        break;
                    }
                case Op.JumpIfFalseOrPop:
                    if (!Ops.IsTrue(st[sp - 1].V)) ip = word >> 8; else st[--sp].V = null!;
                    break;
                case Op.JumpIfTrueOrPop:
                    if (Ops.IsTrue(st[sp - 1].V)) ip = word >> 8; else st[--sp].V = null!;
                    break;
                case Op.GetIter: st[sp - 1].V = Ops.GetIter(st[sp - 1].V); break;
                case Op.ForIter:
                    {
                        var it = st[sp - 1].V;
                        // the builtin iterators (sealed classes) are called directly; others may be heap classes
                        var v = it is PyRangeIterator ri ? ri.Next() : it is PyListIterator li ? li.Next() : it is PySeqIterator si ? si.Next()
                            : it is PyGenerator gen ? gen.Next(ts) : it.Type.IsHeap ? Ops.Next(it) : it.Next();
                        if (v == null) { st[--sp].V = null!; ip = word >> 8; }
                        else st[sp++].V = v;
                        break;
                    }
                case Op.BuildTuple:
                    {
                        int n = word >> 8;
                        if (n == 0) { st[sp++].V = PyTuple.Empty; break; }
                        var items = new PyObject[n];
                        sp -= n;
                        Array.Copy(stack, sp, items, 0, n);
                        Array.Clear(stack, sp, n);
                        st[sp++].V = new PyTuple(items);
                        break;
                    }
                case Op.BuildList:
                    {
                        int n = word >> 8;
                        var items = new PyObject[n];
                        sp -= n;
                        Array.Copy(stack, sp, items, 0, n);
                        Array.Clear(stack, sp, n);
                        st[sp++].V = new PyList(items);
                        break;
                    }
                case Op.BuildSet:
                    sp = DoBuildSet(f, st, sp, word);
                    break;
                case Op.BuildMap:
                    sp = DoBuildMap(f, st, sp, word);
                    break;
                case Op.ListAppend: { var v = st[--sp].V; ((PyList)st[sp - (word >> 8)].V).Append(v); st[sp].V = null!; break; }
                case Op.SetAdd: { var v = st[--sp].V; ((PySet)st[sp - (word >> 8)].V).Add(v); st[sp].V = null!; break; }
                case Op.MapAdd:
                    {
                        var v = st[--sp].V; var k = st[--sp].V;
                        ((PyDict)st[sp - (word >> 8)].V).SetItem(k, v);
                        st[sp].V = null!; st[sp + 1].V = null!;
                        break;
                    }
                case Op.ListExtend:
                    {
                        var v = st[--sp].V;
                        ListExtend((PyList)st[sp - (word >> 8)].V, v);
                        st[sp].V = null!;
                        break;
                    }
                case Op.SetUpdate: { var v = st[--sp].V; ((PySet)st[sp - (word >> 8)].V).AddAll(v); st[sp].V = null!; break; }
                case Op.DictUpdate:
                case Op.DictMerge:
                    {
                        var v = st[--sp].V;
                        DictUpdate((PyDict)st[sp - (word >> 8)].V, v, (Op)(byte)word == Op.DictMerge);
                        st[sp].V = null!;
                        break;
                    }
                case Op.ListToTuple: st[sp - 1].V = new PyTuple(((PyList)st[sp - 1].V).ToArray()); break;
                case Op.BuildString:
                    sp = DoBuildString(f, st, sp, word);
                    break;
                case Op.FormatValue:
                    sp = DoFormatValue(f, st, sp, word);
                    break;
                case Op.UnpackSequence:
                    {
                        int n = word >> 8;
                        var seq = st[--sp].V;
                        PyObject[] items;
                        int len;
                        if (seq is PyTuple t && !t.Type.IsHeap) { items = t.Items; len = items.Length; }
                        else if (seq is PyList l && !l.Type.IsHeap) { items = l.Items; len = l.Count; }
                        else
                        {
                            var it = Ops.GetIter(seq);
                            items = new PyObject[n];
                            len = 0;
                            PyObject? v;
                            while ((v = Ops.Next(it)) != null)
                            {
                                if (len == n) throw Ops.ValueError($"too many values to unpack (expected {n})");
                                items[len++] = v;
                            }
                        }
                        if (len != n)
                        {
                            if (len > n) throw Ops.ValueError($"too many values to unpack (expected {n})");
                            throw Ops.ValueError($"not enough values to unpack (expected {n}, got {len})");
                        }
                        for (int i = n - 1; i >= 0; i--) st[sp++].V = items[i];
                        break;
                    }
                case Op.UnpackEx:
                    sp = DoUnpackEx(f, st, sp, word);
                    break;
                case Op.MakeFunction:
                    sp = DoMakeFunction(f, st, sp, word);
                    break;
                case Op.BuildClass:
                    sp = DoBuildClass(f, st, sp, word);
                    break;
                case Op.ReturnValue:
                    {
                        var r = st[--sp].V;
                        f.Sp = 0; f.Ip = ip; f.Finished = true;
                        return r;
                    }
                case Op.YieldValue:
                    {
                        var r = st[--sp].V;
                        f.Sp = sp; f.Ip = ip; f.Yielded = true;
                        return r;
                    }
                case Op.GetYieldFromIter:
                    {
                        var o = st[sp - 1].V;
                        if (o is not PyGenerator yg) st[sp - 1].V = Ops.GetIter(o);
                        else if (yg.Kind == GenKind.Coroutine && !code.IsCoroutine && !code.IsIterableCoroutine)
                            throw Ops.TypeError("cannot 'yield from' a coroutine object in a non-coroutine generator");
                        else if (yg.Kind == GenKind.AsyncGenerator) st[sp - 1].V = Ops.GetIter(o);
                        break;
                    }
                case Op.GetAwaitable: st[sp - 1].V = Coroutines.GetAwaitable(st[sp - 1].V, word >> 8); break;
                case Op.GetAIter: st[sp - 1].V = Coroutines.GetAIter(st[sp - 1].V); break;
                case Op.GetANext: st[sp].V = Coroutines.GetANext(st[sp - 1].V); sp++; break;
                case Op.AsyncGenWrap: st[sp - 1].V = new PyAsyncGenWrappedValue(st[sp - 1].V); break;
                case Op.EndAsyncFor:
                    {
                        // the handler of an async for's __anext__ await: StopAsyncIteration ends the loop
                        var exc = (PyBaseException)st[sp - 1].V;
                        if (!exc.Type.IsSubtypeOf(PyBaseException.StopAsyncIterationType)) throw new PyException(exc);
                        var b = f.Blocks![--f.BlockCount];
                        ts.CurrentExc = b.Saved;
                        st[--sp].V = null!;
                        st[--sp].V = null!;
                        break;
                    }
                case Op.CheckEgMatch:
                    {
                        // [rest, type] -> [rest', match]; the match (if any) is the exception being handled
                        var (match, rest) = ExceptionGroups.ExceptStarMatch(st[sp - 2].V as PyBaseException, st[sp - 1].V);
                        st[sp - 2].V = (PyObject?)rest ?? PyNone.Instance;
                        st[sp - 1].V = (PyObject?)match ?? PyNone.Instance;
                        // split parts carry the caught group's traceback, which already has this frame: a bare
                        // raise of the match re-raises it without a new entry (and PrepReraiseStar sees a re-raise)
                        if (match != null) { match.LastFrame = f; ts.CurrentExc = match; }
                        if (rest != null) rest.LastFrame = f;
                        break;
                    }
                case Op.PrepReraiseStar:
                    {
                        var raisedList = (PyList)st[--sp].V;
                        st[sp].V = null!;
                        var r = ExceptionGroups.PrepReraiseStar((PyBaseException)st[sp - 1].V, raisedList);
                        // re-raised as RERAISE does: no traceback entry for this frame
                        if (r != null) r.LastFrame = f;
                        st[sp - 1].V = (PyObject?)r ?? PyNone.Instance;
                        break;
                    }
                case Op.BeforeAsyncWith:
                    {
                        var (exit, entered) = Coroutines.BeforeAsyncWith(st[sp - 1].V);
                        st[sp - 1].V = exit;
                        st[sp++].V = entered;
                        break;
                    }
                case Op.YieldFrom:
                    {
                        var v = st[--sp].V;
                        var it = st[sp - 1].V;
                        PyObject? r;
                        PyObject? result = null;
                        if (it is PyGenerator g) r = g.SendInternal(ts, v, out result);
                        else if (it is IDirectAwaitable da) r = da.SendCore(v, out result);
                        else if (v == PyNone.Instance) r = NextWithValue(it, out result);
                        else
                        {
                            r = SendTo(it, v, out result);
                        }
                        if (r != null)
                        {
                            f.Sp = sp; f.Ip = ip - 1; f.Yielded = true;
                            return r;
                        }
                        st[sp - 1].V = result ?? PyNone.Instance;
                        break;
                    }
                case Op.SetupExcept: f.PushBlock(word >> 8, sp, false, null); break;
                case Op.SetupWith: f.PushBlock(word >> 8, sp - 1, false, null); break;
                case Op.PopBlock: f.BlockCount--; break;
                case Op.PopExcept:
                    {
                        var b = f.Blocks![--f.BlockCount];
                        ts.CurrentExc = b.Saved;
                        break;
                    }
                case Op.Raise:
                    {
                        int n = word >> 8;
                        if (n == 0)
                        {
                            var cur = ts.CurrentExc ?? throw Ops.RuntimeError("No active exception to reraise");
                            throw new PyException(cur);
                        }
                        PyObject? cause = n == 2 ? st[--sp].V : null;
                        var exc = MakeException(st[--sp].V);
                        if (cause != null)
                        {
                            if (cause == PyNone.Instance) exc.Cause = PyNone.Instance;
                            else exc.Cause = MakeException(cause);
                            exc.SuppressContext = true;
                        }
                        exc.LastFrame = null;
                        throw new PyException(exc);
                    }
                case Op.Reraise:
                    {
                        var exc = (PyBaseException)st[--sp].V;
                        // arg 1 (end of a with block's exit): the frame's position goes back to where the exception
                        // was raised in it, as CPython's RERAISE restores f_lasti (frame.f_lineno after the raise)
                        if (word >> 8 == 1 && exc.Traceback.Count > 0 && ReferenceEquals(exc.Traceback[^1].Frame, f) && exc.Traceback[^1].Lasti >= 0)
                            f.Ip = exc.Traceback[^1].Lasti / 2 + 1;
                        throw new PyException(exc);
                    }
                case Op.CheckExcMatch:
                    {
                        var t = st[--sp].V;
                        CheckCatchable(t);
                        st[sp].V = PyBool.Of(Ops.IsInstance(st[sp - 1].V, t));
                        sp++;
                        break;
                    }
                case Op.BeforeWith:
                    sp = DoBeforeWith(f, st, sp, word);
                    break;
                case Op.WithExitNormal:
                    sp = DoWithExitNormal(f, st, sp, word);
                    break;
                case Op.WithExcept:
                    sp = DoWithExcept(f, st, sp, word);
                    break;
                case Op.ImportName:
                    sp = DoImportName(f, st, sp, word);
                    break;
                case Op.ImportFrom:
                    st[sp].V = ts.Interp.Imports.ImportFrom(st[sp - 1].V, names[word >> 8]);
                    sp++;
                    break;
                case Op.ImportStar:
                    Importing.ImportSystem.ImportStar(st[--sp].V, f.Locals ?? f.Globals);
                    break;
                case Op.LoadAssertionError: st[sp++].V = PyBaseException.AssertionErrorType; break;
                case Op.PrintExpr:
                    sp = DoPrintExpr(f, st, sp, word);
                    break;
                case Op.SetupAnnotations:
                    SetupAnnotations(f);
                    break;
                case Op.MatchSequence:
                    sp = DoMatchSequence(f, st, sp, word);
                    break;
                case Op.MatchMapping:
                    sp = DoMatchMapping(f, st, sp, word);
                    break;
                case Op.MatchKeys:
                    sp = DoMatchKeys(f, st, sp, word);
                    break;
                case Op.MatchClass:
                    sp = DoMatchClass(f, st, sp, word);
                    break;
                default:
                    throw Ops.Exc(PyBaseException.All["SystemError"], "unknown opcode " + (word & 0xFF));
            }
        }
    }


    // Rare instructions, out of the dispatch loop: a smaller loop keeps the JIT inlining its hot helpers.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoMatchKeys(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        var keys = (PyTuple)st[--sp].V;
        var subj = (PyDict)st[--sp].V;
        var vals = new PyObject[keys.Items.Length];
        bool ok = true;
        for (int i = 0; i < vals.Length; i++)
        {
            var v = subj.GetOrNull(keys.Items[i]);
            if (v == null) { ok = false; break; }
            vals[i] = v;
        }
        if (!ok) { st[sp++].V = PyBool.False; return sp; }
        if ((word >> 8) != 0)
        {
            var rest = subj.Copy();
            foreach (var k in keys.Items) rest.Remove(k);
            st[sp++].V = rest;
        }
        st[sp++].V = new PyTuple(vals);
        st[sp++].V = PyBool.True;
        return sp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoMatchSequence(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        int arg = word >> 8;
        int n = arg & 0xFFFF; bool star = (arg >> 16) != 0;
        var subj = st[--sp].V;
        PyObject[]? items = null;
        if (subj is PyList || subj is PyTuple || subj is PyRange || (subj.Type.IsHeap && subj.Type.Name == "deque"))
            items = Ops.ToArray(subj);
        if (items != null && (star ? items.Length >= n : items.Length == n))
        {
            st[sp++].V = new PyTuple(items);
            st[sp++].V = PyBool.True;
        }
        else st[sp++].V = PyBool.False;
        return sp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoMatchClass(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        int nargs = word >> 8;
        var kwn = (PyTuple)st[--sp].V;
        var cls = st[--sp].V;
        var subj = st[--sp].V;
        if (!Ops.IsInstance(subj, cls)) { st[sp++].V = PyBool.False; return sp; }
        var vals = new PyObject[nargs + kwn.Items.Length];
        bool ok = true;
        if (nargs > 0)
        {
            var ma = Ops.GetAttrOrNull(cls, PyStr.Intern("__match_args__"));
            var t = (PyType)cls;
            bool selfMatch = ma == null && (t == PyInt.TypeObj || t == PyStr.TypeObj || t == PyFloat.TypeObj || t == PyBool.TypeObj || t == PyList.TypeObj
                || t == PyTuple.TypeObj || t == PyDict.TypeObj || t == PySet.SetType || t == PyBytes.TypeObj || t.Mro.Length > 1 && !t.IsHeap);
            if (selfMatch)
            {
                if (nargs > 1) throw Ops.TypeError($"{t.Name}() accepts 1 positional sub-pattern ({nargs} given)");
                vals[0] = subj;
            }
            else
            {
                var margs = ma == null ? Array.Empty<PyObject>() : Ops.ToArray(ma);
                if (nargs > margs.Length) throw Ops.TypeError($"{t.Name}() accepts {margs.Length} positional sub-pattern{(margs.Length == 1 ? "" : "s")} ({nargs} given)");
                for (int i = 0; i < nargs && ok; i++)
                {
                    var v = Ops.GetAttrOrNull(subj, PyStr.Intern(((PyStr)margs[i]).Value));
                    if (v == null) ok = false; else vals[i] = v;
                }
            }
        }
        for (int i = 0; i < kwn.Items.Length && ok; i++)
        {
            var v = Ops.GetAttrOrNull(subj, PyStr.Intern(((PyStr)kwn.Items[i]).Value));
            if (v == null) ok = false; else vals[nargs + i] = v;
        }
        if (!ok) { st[sp++].V = PyBool.False; return sp; }
        st[sp++].V = new PyTuple(vals);
        st[sp++].V = PyBool.True;
        return sp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoMakeFunction(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        int flags = word >> 8;
        var cw = (PyCodeWrapper)st[--sp].V;
        PyCell[]? closure = null;
        PyDict? kwdefs = null;
        PyObject[]? defs = null;
        if ((flags & 4) != 0) { var t = (PyTuple)st[--sp].V; closure = new PyCell[t.Items.Length]; for (int i = 0; i < closure.Length; i++) closure[i] = (PyCell)t.Items[i]; }
        PyObject? annotations = (flags & 8) != 0 ? st[--sp].V : null;
        if ((flags & 2) != 0) kwdefs = (PyDict)st[--sp].V;
        if ((flags & 1) != 0) defs = ((PyTuple)st[--sp].V).Items;
        var fn = new PyFunction(cw.Code, f.Globals, defs, kwdefs, closure, f.Builtins);
        if (cw.Code.Doc != null) fn.Doc = cw.Code.Doc;
        if (annotations != null) fn.Annotations = annotations;
        st[sp++].V = fn;
        return sp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoFormatValue(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        int flags = word >> 8;
        string spec = "";
        if ((flags & 4) != 0) spec = ((PyStr)st[--sp].V).Value;
        var v = st[sp - 1].V;
        switch (flags & 3)
        {
            case 1: v = PyStr.Of(Ops.Str(v)); break;
            case 2: v = PyStr.Of(Ops.Repr(v)); break;
            case 3: v = PyStr.Of(BuiltinsModule.Ascii(Ops.Repr(v))); break;
        }
        st[sp - 1].V = v is PyStr && spec.Length == 0 && v.Type == PyStr.TypeObj ? v : PyStr.Of(Formatting.Format(v, spec));
        return sp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoUnpackEx(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        int before = (word >> 8) & 0xFF, after = word >> 16;
        var items = Ops.ToArray(st[--sp].V);
        if (items.Length < before + after)
            throw Ops.ValueError($"not enough values to unpack (expected at least {before + after}, got {items.Length})");
        for (int i = items.Length - 1; i >= items.Length - after; i--) st[sp++].V = items[i];
        var mid = new PyObject[items.Length - before - after];
        Array.Copy(items, before, mid, 0, mid.Length);
        st[sp++].V = new PyList(mid);
        for (int i = before - 1; i >= 0; i--) st[sp++].V = items[i];
        return sp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoPrintExpr(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        var v = st[--sp].V;
        // CPython's PRINT_EXPR: whatever sys.displayhook is now (doctest and IPython-like shells replace it, or
        // replace sys.stdout, which the default hook writes to).
        var hook = ThreadState.Current.Interp.Sys.Module.ModDict.GetOrNull("displayhook")
                   ?? throw Ops.Exc(PyBaseException.All["RuntimeError"], "lost sys.displayhook");
        Ops.Call(hook, new PyObject[] { v });
        return sp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoBeforeWith(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        var ctx = st[--sp].V;
        var enter = Ops.GetAttrOrNull(ctx, PyStr.S___enter__);
        var exit = Ops.GetAttrOrNull(ctx, PyStr.S___exit__);
        if (enter == null || exit == null) throw Ops.TypeError($"'{ctx.Type.Name}' object does not support the context manager protocol");
        st[sp++].V = exit;
        st[sp++].V = Ops.Call0(enter);
        return sp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoBuildClass(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        var kwargs = (PyDict)st[--sp].V;
        var bases = (PyTuple)st[--sp].V;
        var name = (PyStr)st[--sp].V;
        var body = (PyFunction)st[--sp].V;
        st[sp++].V = BuiltinsModule.BuildClass(body, name.Value, bases, kwargs);
        return sp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoCallEx(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        PyDict? kwargs = null;
        if (((word >> 8) & 1) != 0) kwargs = (PyDict)st[--sp].V;
        var args = (PyTuple)st[--sp].V;
        var func = st[--sp].V;
        st[sp++].V = Ops.CallWithKw(func, args.Items, kwargs);
        st[sp].V = null!; st[sp + 1].V = null!;
        return sp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoLoadClassDeref(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        int arg = word >> 8;
        var name = names[arg & 0xFFF];
        var v = (f.Locals is PyDict { Type.IsHeap: false } d ? d.GetOrNull(name) : f.Locals != null ? LoadFromMapping(f.Locals, name) : null)
            ?? f.Cells[arg >> 12].Value;
        if (v == null) throw UnboundDeref(f, arg >> 12);
        st[sp++].V = v;
        return sp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoMatchMapping(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        var subj = st[sp - 1].V;
        if (subj is PyDict) st[sp++].V = PyBool.True;
        else st[sp - 1].V = PyBool.False;
        return sp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoWithExcept(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        var exc = (PyBaseException)st[sp - 1].V;
        var exit = st[sp - 2].V;
        var r = Ops.Call(exit, new PyObject[] { exc.Type, exc, PyNone.Instance });
        // arg 1 (async with): the awaitable __aexit__ returned, awaited next
        st[sp++].V = (word >> 8) == 1 ? r : PyBool.Of(Ops.IsTrue(r));
        return sp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoWithExitNormal(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        var exit = st[--sp].V;
        st[sp].V = null!;
        var r = Ops.Call(exit, new PyObject[] { PyNone.Instance, PyNone.Instance, PyNone.Instance });
        if ((word >> 8) == 1) st[sp++].V = r; // async with: the awaitable __aexit__ returned, awaited next
        return sp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoImportName(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        var fromlist = st[--sp].V;
        var level = (PyInt)st[--sp].V;
        st[sp++].V = ThreadState.Current.Interp.Imports.ImportStatement(names[word >> 8].Value, f.Globals, f.Locals, fromlist, (int)level.V);
        return sp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoBuildSet(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        int n = word >> 8;
        var s = new PySet(false);
        sp -= n;
        for (int i = 0; i < n; i++) { s.Add(st[sp + i].V); st[sp + i].V = null!; }
        st[sp++].V = s;
        return sp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoBuildMap(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        int n = word >> 8;
        var d = new PyDict();
        sp -= 2 * n;
        for (int i = 0; i < n; i++) { d.SetItem(st[sp + 2 * i].V, st[sp + 2 * i + 1].V); st[sp + 2 * i].V = null!; st[sp + 2 * i + 1].V = null!; }
        st[sp++].V = d;
        return sp;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int DoBuildString(Frame f, Slot[] st, int sp, int word)
    {
        var code = f.Code;
        var names = code.Names;
        int n = word >> 8;
        sp -= n;
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < n; i++) { sb.Append(((PyStr)st[sp + i].V).Value); st[sp + i].V = null!; }
        st[sp++].V = PyStr.Of(sb.ToString());
        return sp;
    }

    private static void DictUpdate(PyDict target, PyObject v, bool merge)
    {
        if (v is not PyDict && !Ops.HasAttr(v, "keys")) throw Ops.TypeError($"'{v.Type.Name}' object is not a mapping");
        if (merge && v is PyDict vd)
        {
            foreach (var kv in vd.Items())
                if (target.ContainsKey(kv.Key)) throw Ops.TypeError($"got multiple values for keyword argument '{Ops.Str(kv.Key)}'");
        }
        target.Update(v);
    }

    private static void ListExtend(PyList target, PyObject v)
    {
        try { target.Extend(v); }
        catch (PyException e) when (e.Value.Type == PyBaseException.TypeErrorType && !Ops.HasAttr(v, "__iter__") && v is not PyStr)
        { throw Ops.TypeError($"Value after * must be an iterable, not {v.Type.Name}"); }
    }

    /// <summary>it.send(v) for yield from over a non-generator: the next value, or null with the return value.</summary>
    /// <summary>next(it) for yield from / await: null when exhausted, with StopIteration's value in <paramref name="result"/>.</summary>
    private static PyObject? NextWithValue(PyObject it, out PyObject? result)
    {
        result = null;
        var t = it.Type;
        var f = t.IsHeap ? t.LookupHeap(PyStr.S___next__) : null;
        try
        {
            var r = f != null ? Ops.CallSlot(f, it) : it.Next();
            if (r == null) result = PyNone.Instance;
            return r;
        }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.StopIterationType))
        {
            result = e.Value.Args.Items.Length > 0 ? e.Value.Args.Items[0] : PyNone.Instance;
            return null;
        }
    }

    private static PyObject? SendTo(PyObject it, PyObject v, out PyObject? result)
    {
        result = null;
        try { return Ops.CallMethod(it, "send", v); }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.StopIterationType))
        {
            result = e.Value.Args.Items.Length > 0 ? e.Value.Args.Items[0] : PyNone.Instance;
            return null;
        }
    }

    /// <summary>Arithmetic on exact int/float operands (no subclasses, no bool), or null for the general path
    /// (which also raises every error: division by zero, unsupported operators).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static PyObject? NumberOp(BinOp op, PyObject a, PyObject b)
    {
        if (a.GetType() == typeof(PyFloat))
        {
            double y;
            if (b.GetType() == typeof(PyFloat)) y = Unsafe.As<PyFloat>(b).V;
            else if (b.GetType() == typeof(PyInt) && Unsafe.As<PyInt>(b).BigV == null) y = Unsafe.As<PyInt>(b).V;
            else return null;
            return FloatOp(op, Unsafe.As<PyFloat>(a).V, y);
        }
        if (a.GetType() == typeof(PyInt))
        {
            if (b.GetType() == typeof(PyInt)) return IntOp(op, Unsafe.As<PyInt>(a), Unsafe.As<PyInt>(b));
            if (b.GetType() == typeof(PyFloat) && Unsafe.As<PyInt>(a).BigV == null) return FloatOp(op, Unsafe.As<PyInt>(a).V, Unsafe.As<PyFloat>(b).V);
        }
        return null;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static PyObject? FloatOp(BinOp op, double x, double y)
    {
        switch (op)
        {
            case BinOp.Add: return new PyFloat(x + y);
            case BinOp.Sub: return new PyFloat(x - y);
            case BinOp.Mul: return new PyFloat(x * y);
            case BinOp.TrueDiv: return y == 0 ? null : new PyFloat(x / y);
            case BinOp.FloorDiv: case BinOp.Mod: case BinOp.Pow: return PyFloat.FloatOp(op, x, y);
            default: return null;
        }
    }

    private static PyObject IntOp(BinOp op, PyInt a, PyInt b)
    {
        if (a.BigV == null && b.BigV == null)
        {
            long x = a.V, y = b.V;
            if (op == BinOp.Add) { long r = x + y; if (((x ^ r) & (y ^ r)) >= 0) return PyInt.Get(r); }
            else if (op == BinOp.Sub) { long r = x - y; if (((x ^ y) & (x ^ r)) >= 0) return PyInt.Get(r); }
        }
        return PyInt.IntOp(op, a, b);
    }

    /// <summary>1/0 for a comparison of exact int/float operands, -1 for the general path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NumberCompare(CmpOp op, PyObject a, PyObject b)
    {
        if (a.GetType() == typeof(PyInt) && b.GetType() == typeof(PyInt))
        {
            var ia = Unsafe.As<PyInt>(a); var ib = Unsafe.As<PyInt>(b);
            if (ia.BigV != null || ib.BigV != null) return -1;
            long x = ia.V, y = ib.V;
            return CmpBool(op switch { CmpOp.Lt => x < y, CmpOp.Le => x <= y, CmpOp.Eq => x == y, CmpOp.Ne => x != y, CmpOp.Gt => x > y, _ => x >= y });
        }
        if (a.GetType() == typeof(PyFloat) && b.GetType() == typeof(PyFloat))
        {
            double x = Unsafe.As<PyFloat>(a).V, y = Unsafe.As<PyFloat>(b).V;
            return CmpBool(op switch { CmpOp.Lt => x < y, CmpOp.Le => x <= y, CmpOp.Eq => x == y, CmpOp.Ne => x != y, CmpOp.Gt => x > y, _ => x >= y });
        }
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CmpBool(bool b) => b ? 1 : 0;

    private static void CheckCatchable(PyObject t)
    {
        if (t is PyType ty && ty.IsSubtypeOf(PyBaseException.BaseExceptionType)) return;
        if (t is PyTuple tup) { foreach (var x in tup.Items) CheckCatchable(x); return; }
        throw Ops.TypeError("catching classes that do not inherit from BaseException is not allowed");
    }

    private static PyObject LoadGlobalSlow(Frame f, CodeObject code, int at, PyStr name)
    {
        var g = f.Globals;
        var gc = code.Caches[at] as GlobalCache ?? new GlobalCache();
        gc.G = g; gc.GVer = g.Version; gc.GIx = g.FindEntry(name);
        if (gc.GIx >= 0) { code.Caches[at] = gc; return g.Values[gc.GIx]!; }
        var b = f.Builtins;
        gc.B = b; gc.BVer = b.Version; gc.BIx = b.FindEntry(name);
        if (gc.BIx < 0) throw Ops.NameNotDefined(name);
        code.Caches[at] = gc;
        return b.Values[gc.BIx]!;
    }

    /// <summary>LOAD_METHOD: the function to call with <paramref name="o"/> as first argument (no bound method object),
    /// or null for the generic attribute path. Cached per instruction and receiver type.</summary>
    private static PyObject? MethodFor(PyObject o, PyStr name, CodeObject code, int at)
    {
        var t = o.Type;
        var site = code.Caches[at] as AttrSite;
        var c = site?.Find(t);
        if (c == null || c.Version != PyType.GlobalVersion || c.Cls != o.GetType())
        {
            if (site == null) code.Caches[at] = site = new AttrSite();
            c ??= site.For(t);
            c.Version = PyType.GlobalVersion;
            c.Cls = o.GetType();
            c.Attr = null;
            c.Kind = 0;
            if ((o is PyInstance || o is PyStr || o is PyList || o is PyDict || o is PyTuple || o is PySet || o is PyInt || o is PyFloat || o is PyBytes)
                && (!t.IsHeap || t.LookupHeap(PyStr.S___getattribute__) == null))
            {
                var attr = t.Lookup(name);
                if (attr is PyFunction || (attr is PyBuiltinFunction bf && bf.IsMethod))
                {
                    c.Attr = attr;
                    c.Kind = t.IsHeap ? 2 : 1; // 2: an instance attribute of the same name would shadow it
                }
            }
        }
        if (c.Kind == 0) return null;
        if (c.Kind == 2)
        {
            var d = o is PyInstance pi ? pi.RawDict : o.Dict;
            if (d != null && d.Count != 0 && d.GetOrNull(name) != null) return null;
        }
        return c.Attr;
    }

    /// <summary>Attribute read on a plain instance with a per-instruction cache of the type lookup.</summary>
    private static PyObject LoadInstanceAttr(PyInstance o, PyStr name, CodeObject code, int at)
    {
        var t = o.Type;
        var site = code.Caches[at] as AttrSite;
        if (site == null) code.Caches[at] = site = new AttrSite();
        var c = site.For(t);
        if (c.Version != PyType.GlobalVersion)
        {
            c.Type = t; c.Version = PyType.GlobalVersion;
            var attr = t.Lookup(name);
            c.Attr = attr;
            if (t.LookupHeap(PyStr.S___getattribute__) != null) c.Kind = 0;
            else if (attr == null) c.Kind = 1;
            else if (attr is PyFunction) c.Kind = 2;
            else if (attr is PyProperty pp && pp.Get != null) c.Kind = 4;
            else if (attr is PyClassMethod || attr is PyStaticMethod || attr is PyBuiltinFunction || attr.Type.IsHeap || attr is PyProperty) c.Kind = 0;
            else c.Kind = 3;
        }
        if (c.Kind == 0) return Ops.GetAttr(o, name);
        if (c.Kind == 4) return Ops.CallArgs(((PyProperty)c.Attr!).Get!, o);
        var d = o.RawDict;
        if (d != null)
        {
            int h = c.Hint;
            if ((uint)h < (uint)d.EntryLimit && ReferenceEquals(d.Keys[h], name)) return d.Values[h]!;
            int ix = d.FindEntry(name);
            if (ix >= 0) { c.Hint = ix; return d.Values[ix]!; }
        }
        if (c.Kind == 2) return new PyBoundMethod(o, c.Attr!);
        if (c.Kind == 3) return c.Attr!;
        return Ops.GetAttr(o, name);
    }

    private static void StoreInstanceAttrSlow(PyInstance o, PyStr name, PyObject v, CodeObject code, int at)
    {
        var t = o.Type;
        var site = code.Caches[at] as AttrSite;
        if (site == null) code.Caches[at] = site = new AttrSite();
        var c = site.For(t);
        c.Type = t; c.Version = PyType.GlobalVersion;
        var attr = t.Lookup(name);
        bool plain = t.LookupHeap(PyStr.S___setattr__) == null
            && (attr == null || !(attr is PyProperty || (attr.Type.IsHeap && attr is not PyType && (attr.Type.Lookup(PyStr.S___set__) != null || attr.Type.Lookup(PyStr.S___delete__) != null))));
        c.Kind = plain ? 1 : 0;
        Ops.SetAttr(o, name, v);
        if (plain) c.Hint = o.Dict!.FindEntry(name);
    }
}

internal sealed class GlobalCache
{
    public PyDict? G, B;
    public int GVer, GIx = -1, BVer, BIx = -1;
}

internal sealed class AttrCache
{
    public PyType? Type;
    public System.Type? Cls;
    public int Version;
    public PyObject? Attr;
    public int Kind;
    public int Hint;
}

/// <summary>A polymorphic inline cache: up to four receiver types per instruction.</summary>
internal sealed class AttrSite
{
    private readonly AttrCache[] _e = new AttrCache[4];
    private int _n, _next;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public AttrCache? Find(PyType t)
    {
        var e0 = _e[0];
        if (e0 != null && ReferenceEquals(e0.Type, t)) return e0;
        return FindRest(t);
    }

    private AttrCache? FindRest(PyType t)
    {
        var e = _e;
        for (int i = 1; i < _n; i++) if (ReferenceEquals(e[i].Type, t)) return e[i];
        return null;
    }

    public AttrCache For(PyType t)
    {
        var c = Find(t);
        if (c != null) return c;
        c = new AttrCache { Type = t, Version = -1 };
        if (_n < 4) _e[_n++] = c;
        else { _e[_next] = c; _next = (_next + 1) & 3; }
        return c;
    }
}
