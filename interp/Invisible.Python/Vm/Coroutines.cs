using System;
using Invisible.Python.Compiler;
using Invisible.Python.Runtime;

namespace Invisible.Python.Vm;

/// <summary>An awaitable iterator the eval loop drives directly (no StopIteration exception per completed await):
/// a coroutine's <c>__await__()</c> wrapper and the async generator's asend/athrow awaitables.</summary>
internal interface IDirectAwaitable
{
    /// <summary>Resume with <paramref name="value"/>: the value to yield out, or null once finished with
    /// <paramref name="result"/> (the StopIteration value).</summary>
    PyObject? SendCore(PyObject value, out PyObject? result);
}

/// <summary>What <c>coroutine.__await__()</c> returns (CPython's <c>coroutine_wrapper</c>): an iterator over the coroutine.</summary>
internal sealed class PyCoroutineWrapper : PyObject, IDirectAwaitable
{
    public static PyType TypeObj = null!;
    public readonly PyGenerator Coro;
    public PyCoroutineWrapper(PyGenerator coro) { Coro = coro; }
    public override PyType Type => TypeObj;
    public override PyObject Iter() => this;
    public override PyObject? Next() => Coro.SendInternal(PyNone.Instance, out var r) ?? throw Coroutines.Stop(r);
    public PyObject? SendCore(PyObject value, out PyObject? result) => Coro.SendInternal(value, out result);

    internal static void InitType(PyType t)
    {
        t.AddMethod("__next__", (a, k) => ((PyCoroutineWrapper)a[0]).Next()!);
        t.AddMethod("__iter__", (a, k) => a[0]);
        t.AddMethod("send", (a, k) => ((PyCoroutineWrapper)a[0]).Coro.Send(a[1]));
        t.AddMethod("throw", (a, k) => ((PyCoroutineWrapper)a[0]).Coro.Throw(PyGenerator.ThrowArgs(a, 1)));
        t.AddMethod("close", (a, k) => { ((PyCoroutineWrapper)a[0]).Coro.Close(); return PyNone.Instance; });
    }
}

/// <summary>A value an async generator yields (ASYNC_GEN_WRAP), told apart from what its awaits pass through.</summary>
internal sealed class PyAsyncGenWrappedValue : PyObject
{
    public static PyType TypeObj = null!;
    public readonly PyObject Value;
    public PyAsyncGenWrappedValue(PyObject v) { Value = v; }
    public override PyType Type => TypeObj;
}

internal enum AwaitableState : byte { Init, Iter, Closed }

/// <summary><c>agen.__anext__()</c> / <c>agen.asend(v)</c>: one step of the async generator as an awaitable
/// (CPython's <c>async_generator_asend</c>).</summary>
internal sealed class PyAsyncGenASend : PyObject, IDirectAwaitable
{
    public static PyType TypeObj = null!;
    private readonly PyGenerator _gen;
    private readonly PyObject _sendValue;
    private AwaitableState _state;
    public PyAsyncGenASend(PyGenerator gen, PyObject sendValue) { _gen = gen; _sendValue = sendValue; }
    public override PyType Type => TypeObj;
    public override PyObject Iter() => this;
    public override PyObject? Next() => SendCore(PyNone.Instance, out var r) ?? throw Coroutines.Stop(r);

    public PyObject? SendCore(PyObject value, out PyObject? result)
    {
        result = null;
        if (_state == AwaitableState.Closed) throw Ops.RuntimeError("cannot reuse already awaited __anext__()/asend()");
        if (_state == AwaitableState.Init)
        {
            if (_gen.RunningAsync) throw Ops.RuntimeError("anext(): asynchronous generator is already running");
            if (value == PyNone.Instance) value = _sendValue;
            _state = AwaitableState.Iter;
        }
        _gen.RunningAsync = true;
        PyObject? y;
        try { y = _gen.SendInternal(value, out result); }
        catch (PyException e) { _state = AwaitableState.Closed; throw Coroutines.Unwrapping(_gen, e); }
        return Coroutines.Unwrap(_gen, y, ref result, ref _state);
    }

    private PyObject? ThrowCore(PyBaseException exc, out PyObject? result)
    {
        result = null;
        if (_state == AwaitableState.Closed) throw Ops.RuntimeError("cannot reuse already awaited __anext__()/asend()");
        PyObject y;
        try { y = _gen.Throw(exc); }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.StopIterationType))
        {
            // the generator returned (gen.throw's StopIteration)
            result = Coroutines.StopValue(e.Value);
            _state = AwaitableState.Closed;
            return Coroutines.Unwrap(_gen, null, ref result, ref _state);
        }
        catch (PyException e) { _state = AwaitableState.Closed; throw Coroutines.Unwrapping(_gen, e); }
        return Coroutines.Unwrap(_gen, y, ref result, ref _state);
    }

    internal static void InitType(PyType t)
    {
        t.AddMethod("__next__", (a, k) => ((PyAsyncGenASend)a[0]).Next()!);
        t.AddMethod("__iter__", (a, k) => a[0]);
        t.AddMethod("__await__", (a, k) => a[0]);
        t.AddMethod("send", (a, k) => ((PyAsyncGenASend)a[0]).SendCore(a[1], out var r) ?? throw Coroutines.Stop(r));
        t.AddMethod("throw", (a, k) => ((PyAsyncGenASend)a[0]).ThrowCore(PyGenerator.ThrowArgs(a, 1), out var r) ?? throw Coroutines.Stop(r));
        t.AddMethod("close", (a, k) => { ((PyAsyncGenASend)a[0])._state = AwaitableState.Closed; return PyNone.Instance; });
    }
}

/// <summary><c>agen.athrow(...)</c> / <c>agen.aclose()</c> as an awaitable (CPython's <c>async_generator_athrow</c>);
/// <see cref="_exc"/> null is aclose().</summary>
internal sealed class PyAsyncGenAThrow : PyObject, IDirectAwaitable
{
    public static PyType TypeObj = null!;
    private readonly PyGenerator _gen;
    private readonly PyBaseException? _exc;
    private AwaitableState _state;
    public PyAsyncGenAThrow(PyGenerator gen, PyBaseException? exc) { _gen = gen; _exc = exc; }
    public override PyType Type => TypeObj;
    public override PyObject Iter() => this;
    public override PyObject? Next() => SendCore(PyNone.Instance, out var r) ?? throw Coroutines.Stop(r);

    private PyException AlreadyRunning()
    {
        _state = AwaitableState.Closed;
        return Ops.RuntimeError(_exc == null ? "aclose(): asynchronous generator is already running" : "athrow(): asynchronous generator is already running");
    }

    public PyObject? SendCore(PyObject value, out PyObject? result)
    {
        result = null;
        if (_state == AwaitableState.Closed) throw Ops.RuntimeError("cannot reuse already awaited aclose()/athrow()");
        if (_gen.Finished) { _state = AwaitableState.Closed; result = PyNone.Instance; return null; }
        if (_state == AwaitableState.Init)
        {
            if (_gen.RunningAsync) throw AlreadyRunning();
            if (_gen.Closed) { _state = AwaitableState.Closed; throw new PyException(PyBaseException.Create(PyBaseException.StopAsyncIterationType)); }
            if (value != PyNone.Instance) throw Ops.RuntimeError("can't send non-None value to a just-started coroutine");
            _state = AwaitableState.Iter;
            _gen.RunningAsync = true;
            if (_exc == null) _gen.Closed = true;
            return Step(() => _gen.Throw(_exc ?? PyBaseException.Create(PyBaseException.GeneratorExitType)), out result);
        }
        return Step(() => _gen.SendInternal(value, out var r) ?? throw Coroutines.Stop(r), out result);
    }

    private PyObject? ThrowCore(PyBaseException exc, out PyObject? result)
    {
        result = null;
        if (_state == AwaitableState.Closed) throw Ops.RuntimeError("cannot reuse already awaited aclose()/athrow()");
        if (_state == AwaitableState.Init)
        {
            if (_gen.RunningAsync) throw AlreadyRunning();
            _state = AwaitableState.Iter;
            _gen.RunningAsync = true;
        }
        return Step(() => _gen.Throw(exc), out result);
    }

    /// <summary>One resumption of the generator (a yield out, a return as StopIteration, or an exception), read as
    /// athrow (a yielded value finishes it) or aclose (a yielded value is "ignored GeneratorExit").</summary>
    private PyObject? Step(Func<PyObject> resume, out PyObject? result)
    {
        result = null;
        PyObject y;
        try { y = resume(); }
        catch (PyException e)
        {
            _gen.RunningAsync = false;
            _state = AwaitableState.Closed;
            bool stopIter = e.Value.Type.IsSubtypeOf(PyBaseException.StopIterationType);
            bool ended = e.Value.Type.IsSubtypeOf(PyBaseException.StopAsyncIterationType) || e.Value.Type.IsSubtypeOf(PyBaseException.GeneratorExitType);
            if (_exc == null)
            {
                // aclose(): the generator ending (returned, StopAsyncIteration, GeneratorExit) completes the await
                if (stopIter || ended) { result = PyNone.Instance; return null; }
                throw;
            }
            if (stopIter) throw new PyException(PyBaseException.Create(PyBaseException.StopAsyncIterationType)); // athrow(): the generator returned
            if (ended) _gen.Closed = true;
            throw;
        }
        if (y is PyAsyncGenWrappedValue w)
        {
            _gen.RunningAsync = false;
            _state = AwaitableState.Closed;
            if (_exc == null) throw Ops.RuntimeError("async generator ignored GeneratorExit");
            result = w.Value;
            return null;
        }
        return y;
    }

    internal static void InitType(PyType t)
    {
        t.AddMethod("__next__", (a, k) => ((PyAsyncGenAThrow)a[0]).Next()!);
        t.AddMethod("__iter__", (a, k) => a[0]);
        t.AddMethod("__await__", (a, k) => a[0]);
        t.AddMethod("send", (a, k) => ((PyAsyncGenAThrow)a[0]).SendCore(a[1], out var r) ?? throw Coroutines.Stop(r));
        t.AddMethod("throw", (a, k) => ((PyAsyncGenAThrow)a[0]).ThrowCore(PyGenerator.ThrowArgs(a, 1), out var r) ?? throw Coroutines.Stop(r));
        t.AddMethod("close", (a, k) => { ((PyAsyncGenAThrow)a[0])._state = AwaitableState.Closed; return PyNone.Instance; });
    }
}

/// <summary><c>anext(it, default)</c>: awaits <c>it.__anext__()</c>, StopAsyncIteration becoming the default
/// (CPython's <c>anext_awaitable</c>).</summary>
internal sealed class PyANextAwaitable : PyObject
{
    public static PyType TypeObj = null!;
    private readonly PyObject _wrapped, _default;
    private PyObject? _iter;
    public PyANextAwaitable(PyObject wrapped, PyObject dflt) { _wrapped = wrapped; _default = dflt; }
    public override PyType Type => TypeObj;
    public override PyObject Iter() => this;
    public override PyObject? Next() => Proceed(it => Ops.Next(it) ?? throw Ops.StopIteration());

    private PyObject Inner()
    {
        if (_iter != null) return _iter;
        var awaitable = Coroutines.CallSpecial(_wrapped, "__anext__") ?? throw Ops.TypeError($"'{_wrapped.Type.Name}' object is not an async iterator");
        // a coroutine is iterated through its __await__ wrapper; anything else through its __await__
        if (awaitable is PyGenerator { Kind: GenKind.Coroutine } c) return _iter = new PyCoroutineWrapper(c);
        var it = Coroutines.CallSpecial(awaitable, "__await__") ?? throw Ops.TypeError($"'{awaitable.Type.Name}' object can't be awaited");
        return _iter = it;
    }

    private PyObject Proceed(Func<PyObject, PyObject> step)
    {
        var it = Inner();
        try { return step(it); }
        catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.StopAsyncIterationType)) { throw Ops.StopIteration(_default); }
    }

    internal static void InitType(PyType t)
    {
        t.AddMethod("__next__", (a, k) => ((PyANextAwaitable)a[0]).Next()!);
        t.AddMethod("__iter__", (a, k) => a[0]);
        t.AddMethod("__await__", (a, k) => a[0]);
        t.AddMethod("send", (a, k) => { var v = a[1]; return ((PyANextAwaitable)a[0]).Proceed(it => Ops.CallMethod(it, "send", v)); });
        t.AddMethod("throw", (a, k) =>
        {
            var args = a.Slice(1).ToArray();
            return ((PyANextAwaitable)a[0]).Proceed(it => Ops.Call(Ops.GetAttr(it, PyStr.Intern("throw")), args));
        });
        t.AddMethod("close", (a, k) =>
        {
            var self = (PyANextAwaitable)a[0];
            if (self._iter != null && Ops.GetAttrOrNull(self._iter, PyStr.Intern("close")) is PyObject cl) Ops.Call0(cl);
            return PyNone.Instance;
        });
    }
}

/// <summary>The async protocols of the eval loop (GET_AWAITABLE, GET_AITER, GET_ANEXT, BEFORE_ASYNC_WITH) and the
/// async generator's own methods.</summary>
internal static class Coroutines
{
    internal static PyException Stop(PyObject? result) => Ops.StopIteration(result == null || result == PyNone.Instance ? null : result);

    internal static PyObject StopValue(PyBaseException stop) => stop.Args.Items.Length > 0 ? stop.Args.Items[0] : PyNone.Instance;

    /// <summary>type(o).name(o), or null when the type has no such method (special methods are looked up on the type).</summary>
    internal static PyObject? CallSpecial(PyObject o, string name)
    {
        var m = o.Type.Lookup(PyStr.Intern(name));
        return m == null ? null : Ops.Call(m, new[] { o });
    }

    /// <summary>A generator/coroutine await accepts as it is: a coroutine, or a generator of a types.coroutine function.</summary>
    private static bool IsNativeAwaitable(PyObject o) =>
        o is PyGenerator g && (g.Kind == GenKind.Coroutine || (g.Kind == GenKind.Generator && g.Frame.Code.IsIterableCoroutine));

    /// <summary>GET_AWAITABLE: the iterator an <c>await o</c> delegates to. <paramref name="where"/>: 1 after
    /// __aenter__, 2 after __aexit__ (their error texts).</summary>
    internal static PyObject GetAwaitable(PyObject o, int where)
    {
        if (IsNativeAwaitable(o))
        {
            if (o is PyGenerator { Kind: GenKind.Coroutine } c && c.YieldFrom != null) throw Ops.RuntimeError("coroutine is being awaited already");
            return o;
        }
        var m = o.Type.Lookup(PyStr.Intern("__await__"));
        if (m == null)
        {
            if (where == 1) throw Ops.TypeError($"'async with' received an object from __aenter__ that does not implement __await__: {o.Type.Name}");
            if (where == 2) throw Ops.TypeError($"'async with' received an object from __aexit__ that does not implement __await__: {o.Type.Name}");
            throw Ops.TypeError($"object {o.Type.Name} can't be used in 'await' expression");
        }
        var it = Ops.Call(m, new[] { o });
        if (IsNativeAwaitable(it)) throw Ops.TypeError("__await__() returned a coroutine");
        if (!Ops.IsIterator(it) && it is not PyGenerator { Kind: GenKind.Generator }) throw Ops.TypeError($"__await__() returned non-iterator of type '{it.Type.Name}'");
        return it;
    }

    /// <summary>GET_AITER (async for): type(o).__aiter__(o), which must have __anext__.</summary>
    internal static PyObject GetAIter(PyObject o)
    {
        var it = CallSpecial(o, "__aiter__") ?? throw Ops.TypeError($"'async for' requires an object with __aiter__ method, got {o.Type.Name}");
        if (it.Type.Lookup(PyStr.Intern("__anext__")) == null)
            throw Ops.TypeError($"'async for' received an object from __aiter__ that does not implement __anext__: {it.Type.Name}");
        return it;
    }

    /// <summary>GET_ANEXT (async for): the awaitable of type(it).__anext__(it).</summary>
    internal static PyObject GetANext(PyObject it)
    {
        if (it is PyGenerator { Kind: GenKind.AsyncGenerator } ag) return ASend(ag, PyNone.Instance);
        var aw = CallSpecial(it, "__anext__") ?? throw Ops.TypeError($"'async for' requires an iterator with __anext__ method, got {it.Type.Name}");
        try { return GetAwaitable(aw, 0); }
        catch (PyException e) when (e.Value.Type == PyBaseException.TypeErrorType)
        {
            var te = PyBaseException.Create(PyBaseException.TypeErrorType, $"'async for' received an invalid object from __anext__: {aw.Type.Name}");
            te.Cause = e.Value; te.Context = e.Value; te.SuppressContext = true;
            throw new PyException(te);
        }
    }

    /// <summary>BEFORE_ASYNC_WITH: (bound __aexit__, __aenter__()).</summary>
    internal static (PyObject exit, PyObject enterResult) BeforeAsyncWith(PyObject ctx)
    {
        var enter = ctx.Type.Lookup(PyStr.Intern("__aenter__"));
        var exit = ctx.Type.Lookup(PyStr.Intern("__aexit__"));
        if (enter == null || exit == null) throw Ops.TypeError($"'{ctx.Type.Name}' object does not support the asynchronous context manager protocol");
        var boundExit = Ops.GetAttr(ctx, PyStr.Intern("__aexit__"));
        return (boundExit, Ops.Call(enter, new[] { ctx }));
    }

    // ---------------- async generators ----------------

    /// <summary>Calls sys.set_asyncgen_hooks' firstiter once, before the generator's first step (asyncio tracks its
    /// generators so that loop.shutdown_asyncgens() can close them).</summary>
    private static void InitHooks(PyGenerator ag)
    {
        if (ag.HooksInitialized) return;
        ag.HooksInitialized = true;
        var interp = ThreadState.Current.Interp;
        ag.Finalizer = interp.AsyncGenFinalizer;
        if (interp.AsyncGenFirstIter is PyObject first) Ops.Call1(first, ag);
    }

    internal static PyObject ASend(PyGenerator ag, PyObject v) { InitHooks(ag); return new PyAsyncGenASend(ag, v); }

    /// <summary>async_gen_unwrap_value: a yielded wrapped value ends the step with it (StopIteration value); the
    /// generator returning is StopAsyncIteration; anything else passes out of the await.</summary>
    internal static PyObject? Unwrap(PyGenerator ag, PyObject? y, ref PyObject? result, ref AwaitableState state)
    {
        if (y == null)
        {
            ag.RunningAsync = false;
            ag.Closed = true;
            state = AwaitableState.Closed;
            throw new PyException(PyBaseException.Create(PyBaseException.StopAsyncIterationType));
        }
        if (y is PyAsyncGenWrappedValue w)
        {
            ag.RunningAsync = false;
            state = AwaitableState.Closed;
            result = w.Value;
            return null;
        }
        return y;
    }

    /// <summary>An exception out of the generator's step: it is no longer running; StopAsyncIteration or
    /// GeneratorExit mark it closed.</summary>
    internal static PyException Unwrapping(PyGenerator ag, PyException e)
    {
        ag.RunningAsync = false;
        if (e.Value.Type.IsSubtypeOf(PyBaseException.StopAsyncIterationType) || e.Value.Type.IsSubtypeOf(PyBaseException.GeneratorExitType))
            ag.Closed = true;
        return e;
    }

    internal static void InitAsyncGeneratorType(PyType t)
    {
        t.AddMethod("__aiter__", (a, k) => a[0]);
        t.AddMethod("__anext__", (a, k) => ASend((PyGenerator)a[0], PyNone.Instance));
        t.AddMethod("asend", (a, k) =>
        {
            if (a.Length != 2) throw Ops.TypeError($"async_generator.asend() takes exactly one argument ({a.Length - 1} given)");
            return ASend((PyGenerator)a[0], a[1]);
        });
        t.AddMethod("athrow", (a, k) =>
        {
            if (a.Length < 2 || a.Length > 4) throw Ops.TypeError($"athrow expected at least 1 argument, got {a.Length - 1}");
            var ag = (PyGenerator)a[0];
            InitHooks(ag);
            return new PyAsyncGenAThrow(ag, PyGenerator.ThrowArgs(a, 1));
        });
        t.AddMethod("aclose", (a, k) =>
        {
            var ag = (PyGenerator)a[0];
            InitHooks(ag);
            return new PyAsyncGenAThrow(ag, null);
        });
    }

    /// <summary>Builtins aiter() and anext().</summary>
    internal static PyObject AIter(PyObject o)
    {
        var it = CallSpecial(o, "__aiter__") ?? throw Ops.TypeError($"'{o.Type.Name}' object is not an async iterable");
        if (it.Type.Lookup(PyStr.Intern("__anext__")) == null) throw Ops.TypeError($"aiter() returned not an async iterator of type '{it.Type.Name}'");
        return it;
    }

    internal static PyObject ANext(PyObject it, PyObject? dflt)
    {
        if (it.Type.Lookup(PyStr.Intern("__anext__")) == null) throw Ops.TypeError($"'{it.Type.Name}' object is not an async iterator");
        if (dflt == null) return CallSpecial(it, "__anext__")!;
        return new PyANextAwaitable(it, dflt);
    }
}
