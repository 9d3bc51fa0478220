using System;
using Invisible.Python.Compiler;
using Invisible.Python.Runtime;

namespace Invisible.Python.Vm;

public enum GenKind : byte { Generator, Coroutine, AsyncGenerator }

/// <summary>A suspended frame: a generator, a coroutine (async def) or an async generator (async def with yield).
/// One class for the three (CPython's genobject.c shares the machinery too); <see cref="Kind"/> picks the type, the
/// texts, and what the frame's result means. Async generators' protocol objects are in Coroutines.cs.</summary>
public sealed class PyGenerator : PyObject
{
    public static PyType TypeObj = null!, CoroutineType = null!, AsyncGeneratorType = null!;
    public readonly Frame Frame;
    private bool _started, _running;
    /// <summary>__name__ and __qualname__, writable (str only) as CPython's gi_name/gi_qualname.</summary>
    public string Name, QualName;
    public readonly GenKind Kind;
    /// <summary>Async generator: an asend/athrow awaitable of it is being iterated (ag_running); the firstiter hook
    /// ran; the finalizer hook given at that time; aclose() finished it.</summary>
    internal bool RunningAsync, HooksInitialized, Closed;
    internal PyObject? Finalizer;

    public PyGenerator(Frame f, string name, string qualname) : this(f, name, qualname, GenKind.Generator) { }
    public PyGenerator(Frame f, string name, string qualname, GenKind kind) { Frame = f; Name = name; QualName = qualname; Kind = kind; }
    public override PyType Type => Kind == GenKind.Generator ? TypeObj : Kind == GenKind.Coroutine ? CoroutineType : AsyncGeneratorType;
    public override string Repr() => $"<{KindName} object {QualName} at 0x{Ops.Id(this):x}>";
    public override PyObject Iter() => Kind == GenKind.Generator ? this : throw Ops.TypeError($"'{KindName}' object is not iterable");
    public bool Finished => Frame.Finished;
    private string KindName => Kind == GenKind.Generator ? "generator" : Kind == GenKind.Coroutine ? "coroutine" : "async_generator";
    private string KindText => Kind == GenKind.Generator ? "generator" : Kind == GenKind.Coroutine ? "coroutine" : "async generator";
    public bool Started => _started;
    public bool Running => _running;

    /// <summary>The object this frame is suspended delegating to (a yield from or await), else null.</summary>
    public PyObject? YieldFrom =>
        !Frame.Finished && _started && !_running && Frame.Ip < Frame.Code.Code.Length && (Op)(Frame.Code.Code[Frame.Ip] & 0xFF) == Op.YieldFrom
            ? Frame.Stack[Frame.Sp - 1] : null;

    /// <summary>Resume; returns the yielded value, or null when the generator returned (result set).</summary>
    public PyObject? SendInternal(PyObject value, out PyObject? result) => SendInternal(ThreadState.Current, value, out result);

    /// <summary><see cref="SendInternal(PyObject, out PyObject?)"/> on the caller's thread state (the eval loop has it).</summary>
    internal PyObject? SendInternal(ThreadState ts, PyObject value, out PyObject? result)
    {
        result = null;
        if (_running) throw Ops.ValueError($"{KindText} already executing");
        if (Frame.Finished)
        {
            if (Kind == GenKind.Coroutine) throw Ops.RuntimeError("cannot reuse already awaited coroutine");
            result = PyNone.Instance; return null;
        }
        if (!_started)
        {
            if (value != PyNone.Instance) throw Ops.TypeError($"can't send non-None value to a just-started {KindText}");
            _started = true;
        }
        else Slot.Of(Frame.Stack)[Frame.Sp++].V = value; // no covariant store check (frame slots are exactly PyObject[])
        return Resume(ts, out result);
    }

    private PyObject? Resume(out PyObject? result) => Resume(ThreadState.Current, out result);

    /// <summary>The sentinel that closes this generator once it is unreachable (<see cref="Finalization.CloserFor"/>),
    /// made the first time it suspends inside a try or with block.</summary>
    private object? _closer;

    /// <summary>The exception the suspended generator is handling (null: none, it sees its caller's).</summary>
    private PyBaseException? _excState;

    /// <summary>The index of the frame's outermost active except/finally handler block, or -1.</summary>
    private int OutermostHandler()
    {
        var blocks = Frame.Blocks;
        for (int i = 0; i < Frame.BlockCount; i++) if (blocks![i].IsHandler) return i;
        return -1;
    }

    private PyObject? Resume(ThreadState ts, out PyObject? result)
    {
        result = null;
        _running = true;
        var savedExc = ts.CurrentExc;
        // The generator's own exception state (CPython's gi_exc_state): suspended inside an except block, it sees that
        // exception again when resumed, whoever resumes it; leaving its outermost handler goes back to the caller's.
        // Most resumes are outside any block (a loop body's yield): no handler to look for.
        int outer = Frame.BlockCount == 0 ? -1 : OutermostHandler();
        if (outer >= 0) { Frame.Blocks![outer].Saved = savedExc; ts.CurrentExc = _excState; }
        PyException? raised = null;
        try
        {
            Frame.Yielded = false;
            var r = Interpreter.Execute(ts, Frame);
            if (Frame.Yielded)
            {
                Frame.Yielded = false;
                if (Frame.BlockCount == 0) _excState = null;
                else
                {
                    _excState = OutermostHandler() >= 0 ? ts.CurrentExc : null;
                    // Suspended inside try/with: closed (its finally clauses run) if abandoned, as CPython's _PyGen_Finalize.
                    if (_closer == null && Kind == GenKind.Generator) _closer = Finalization.CloserFor(this, ts);
                }
                return r;
            }
            Frame.Finished = true;
            result = r;
            return null;
        }
        catch (PyException e)
        {
            Frame.Finished = true;
            raised = e;
            bool stopIteration = e.Value.Type.IsSubtypeOf(PyBaseException.StopIterationType);
            if (stopIteration || (Kind == GenKind.AsyncGenerator && e.Value.Type.IsSubtypeOf(PyBaseException.StopAsyncIterationType)))
            {
                var re = PyBaseException.Create(PyBaseException.RuntimeErrorType,
                    $"{KindText} raised {(stopIteration ? "StopIteration" : "StopAsyncIteration")}");
                re.Cause = e.Value; re.Context = e.Value; re.SuppressContext = true;
                raised = new PyException(re);
            }
        }
        finally
        {
            _running = false; ts.CurrentExc = savedExc;
            if (Frame.Finished)
            {
                _excState = null; // a finished generator keeps no exception alive
                if (_closer != null) { GC.SuppressFinalize(_closer); _closer = null; }
            }
        }
        // Thrown after the catch block, as in Interpreter.Run: a throw from inside it would stack one exception dispatch
        // per generator of a `yield from` chain.
        throw raised;
    }

    public override PyObject? Next() => SendInternal(PyNone.Instance, out _);

    /// <summary><see cref="Next()"/> on the caller's thread state (the eval loop's for-loops and yield from).</summary>
    internal PyObject? Next(ThreadState ts) => SendInternal(ts, PyNone.Instance, out _);

    public PyObject Send(PyObject v)
    {
        var r = SendInternal(v, out var result);
        if (r == null) throw Ops.StopIteration(result == PyNone.Instance ? null : result);
        return r;
    }

    public PyObject Throw(PyBaseException exc)
    {
        if (_running) throw Ops.ValueError($"{KindText} already executing");
        if (Frame.Finished)
        {
            if (Kind == GenKind.Coroutine) throw Ops.RuntimeError("cannot reuse already awaited coroutine");
            throw new PyException(exc);
        }
        if (!_started) { _started = true; Frame.Finished = true; throw new PyException(exc); }
        // delegate to a sub-iterator when suspended in 'yield from'
        if (Frame.Ip < Frame.Code.Code.Length && (Op)(Frame.Code.Code[Frame.Ip] & 0xFF) == Op.YieldFrom)
        {
            var sub = Frame.Stack[Frame.Sp - 1];
            PyObject? r = null;
            bool delegated = false;
            try
            {
                if (sub is PyGenerator sg && sg.Kind != GenKind.AsyncGenerator) { delegated = true; r = sg.Throw(exc); }
                else if (exc.Type != PyBaseException.GeneratorExitType)
                {
                    var th = Ops.GetAttrOrNull(sub, PyStr.Intern("throw"));
                    if (th != null) { delegated = true; r = Ops.Call1(th, exc); }
                }
                else
                {
                    var cl = Ops.GetAttrOrNull(sub, PyStr.Intern("close"));
                    if (cl != null) Ops.Call0(cl);
                }
            }
            catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.StopIterationType) && delegated)
            {
                // sub-iterator finished: its value becomes the result of 'yield from'
                Frame.Stack[Frame.Sp - 1] = e.Value.Args.Items.Length > 0 ? e.Value.Args.Items[0] : PyNone.Instance;
                Frame.Ip++;
                var y = Resume(out var res);
                if (y == null) throw Ops.StopIteration(res == PyNone.Instance ? null : res);
                return y;
            }
            catch (PyException e)
            {
                exc = e.Value;
                Frame.Ip++;
                Frame.ThrowIn = exc;
                var y2 = Resume(out var res2);
                if (y2 == null) throw Ops.StopIteration(res2 == PyNone.Instance ? null : res2);
                return y2;
            }
            if (delegated && r != null) return r;
            Frame.Ip++;
        }
        Frame.ThrowIn = exc;
        var v = Resume(out var result);
        if (v == null) throw Ops.StopIteration(result == PyNone.Instance ? null : result);
        return v;
    }

    public void Close()
    {
        if (Frame.Finished || !_started) { Frame.Finished = true; return; }
        try
        {
            Throw(PyBaseException.Create(PyBaseException.GeneratorExitType));
        }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.GeneratorExitType) || e.Value.Type.IsSubtypeOf(PyBaseException.StopIterationType))
        {
            return;
        }
        throw Ops.RuntimeError($"{KindText} ignored GeneratorExit");
    }

    /// <summary>The exception of <c>throw(typ[, val[, tb]])</c> (generator, coroutine and their awaitables).</summary>
    internal static PyBaseException ThrowArgs(ReadOnlySpan<PyObject> a, int first)
    {
        var typ = a[first];
        if (typ is PyType et)
        {
            if (!et.IsSubtypeOf(PyBaseException.BaseExceptionType))
                throw Ops.TypeError($"exceptions must be classes or instances deriving from BaseException, not type");
            var val = a.Length > first + 1 ? a[first + 1] : PyNone.Instance;
            if (val is PyBaseException be && be.Type.IsSubtypeOf(et)) return be;
            // CPython's _gen_throw normalizes the exception only once it is raised in the frame: a failure to make it
            // (a __new__ that returns no exception) is what the generator sees at its yield
            try { return Interpreter.MakeException(val == PyNone.Instance ? Ops.Call0(et) : val is PyTuple tv ? Ops.Call(et, tv.Items) : Ops.Call1(et, val)); }
            catch (PyException e) { return e.Value; }
        }
        if (typ is PyBaseException inst)
        {
            if (a.Length > first + 1 && a[first + 1] != PyNone.Instance) throw Ops.TypeError("instance exception may not have a separate value");
            return inst;
        }
        throw Ops.TypeError($"exceptions must be classes or instances deriving from BaseException, not {typ.Type.Name}");
    }

    public override void SetAttr(PyStr name, PyObject value)
    {
        if (name.Value is "__name__" or "__qualname__")
        {
            if (value is not PyStr str) throw Ops.TypeError($"{name.Value} must be set to a string object");
            if (name.Value == "__name__") Name = str.Value; else QualName = str.Value;
            return;
        }
        base.SetAttr(name, value);
    }

    public override void DelAttr(PyStr name)
    {
        if (name.Value is "__name__" or "__qualname__") throw Ops.TypeError($"{name.Value} must be set to a string object");
        base.DelAttr(name);
    }

    internal static void InitType(PyType t)
    {
        t.New = null; // CPython's generator types have no tp_new: "cannot create 'generator' instances", copy/pickle refuse
        t.AddMethod("send", (a, k) => ((PyGenerator)a[0]).Send(a[1]));
        t.SetMember("__next__", new PyBuiltinFunction("__next__", (a, k) => ((PyGenerator)a[0]).Next() ?? throw Ops.StopIteration(), true) { Doc = "Implement next(self)." });
        t.SetMember("__iter__", new PyBuiltinFunction("__iter__", (a, k) => a[0], true) { Doc = "Implement iter(self)." });
        // read-only getset descriptors, so dir() lists them and assignment fails with CPython's text (reading them is
        // GetAttrOrNull's)
        foreach (var attr in new[] { "gi_code", "gi_frame", "gi_running", "gi_suspended", "gi_yieldfrom" })
        {
            var key = PyStr.Intern(attr);
            var get = new PyBuiltinFunction(attr, (a, k) => a[0].GetAttrOrNull(key) ?? PyNone.Instance);
            var readOnly = new PyBuiltinFunction(attr, (a, k) => throw Ops.AttributeError($"attribute '{attr}' of 'generator' objects is not writable"));
            t.SetMember(attr, new PyProperty(get, readOnly, readOnly, SlotLayout.GetSetDescriptorType, $"<attribute '{attr}' of 'generator' objects>"));
        }
        t.AddMethod("throw", (a, k) => ((PyGenerator)a[0]).Throw(ThrowArgs(a, 1)));
        t.AddMethod("close", (a, k) => { ((PyGenerator)a[0]).Close(); return PyNone.Instance; });
    }

    /// <summary>The coroutine type: send/throw/close and __await__, no __iter__/__next__.</summary>
    internal static void InitCoroutineType(PyType t)
    {
        t.New = null;
        t.AddMethod("send", (a, k) => ((PyGenerator)a[0]).Send(a[1]));
        t.AddMethod("throw", (a, k) => ((PyGenerator)a[0]).Throw(ThrowArgs(a, 1)));
        t.AddMethod("close", (a, k) => { ((PyGenerator)a[0]).Close(); return PyNone.Instance; });
        t.AddMethod("__await__", (a, k) => new PyCoroutineWrapper((PyGenerator)a[0]));
    }

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        string n = name.Value;
        switch (n)
        {
            case "__name__": return new PyStr(Name);
            case "__qualname__": return new PyStr(QualName);
        }
        // gi_* for generators, cr_* for coroutines, ag_* for async generators
        string prefix = Kind == GenKind.Generator ? "gi_" : Kind == GenKind.Coroutine ? "cr_" : "ag_";
        if (n.StartsWith(prefix, StringComparison.Ordinal))
        {
            switch (n.Substring(3))
            {
                case "running": return PyBool.Of(Kind == GenKind.AsyncGenerator ? RunningAsync : _running);
                case "frame": return Frame.Finished ? PyNone.Instance : PyFrameObject.Of(Frame);
                case "code": return PyCodeWrapper.Of(Frame.Code);
                // Debian's 3.11 (like 3.12) has gi_suspended/cr_suspended, which its inspect.getgeneratorstate reads
                case "suspended" when Kind != GenKind.AsyncGenerator: return PyBool.Of(_started && !_running && !Frame.Finished);
                case "yieldfrom" when Kind == GenKind.Generator: return YieldFrom ?? PyNone.Instance;
                case "await" when Kind != GenKind.Generator: return YieldFrom ?? PyNone.Instance;
                case "origin" when Kind == GenKind.Coroutine: return PyNone.Instance; // sys.set_coroutine_origin_tracking_depth is 0
            }
        }
        return base.GetAttrOrNull(name);
    }
}
