using System;
using Invisible.Python.Compiler;
using Invisible.Python.Runtime;

namespace Invisible.Python.Vm;

public sealed class PyGenerator : PyObject
{
    public static PyType TypeObj = null!;
    public readonly Frame Frame;
    private bool _started, _running;
    public readonly string Name, QualName;

    public PyGenerator(Frame f, string name, string qualname) { Frame = f; Name = name; QualName = qualname; }
    public override PyType Type => TypeObj;
    public override string Repr() => $"<generator object {QualName} at 0x{Ops.Id(this):x}>";
    public override PyObject Iter() => this;
    public bool Finished => Frame.Finished;

    /// <summary>Resume; returns the yielded value, or null when the generator returned (result set).</summary>
    public PyObject? SendInternal(PyObject value, out PyObject? result) => SendInternal(ThreadState.Current, value, out result);

    /// <summary><see cref="SendInternal(PyObject, out PyObject?)"/> on the caller's thread state (the eval loop has it).</summary>
    internal PyObject? SendInternal(ThreadState ts, PyObject value, out PyObject? result)
    {
        result = null;
        if (Frame.Finished) { result = PyNone.Instance; return null; }
        if (_running) throw Ops.ValueError("generator already executing");
        if (!_started)
        {
            if (value != PyNone.Instance) throw Ops.TypeError("can't send non-None value to a just-started generator");
            _started = true;
        }
        else Slot.Of(Frame.Stack)[Frame.Sp++].V = value; // no covariant store check (frame slots are exactly PyObject[])
        return Resume(ts, out result);
    }

    private PyObject? Resume(out PyObject? result) => Resume(ThreadState.Current, out result);

    private PyObject? Resume(ThreadState ts, out PyObject? result)
    {
        result = null;
        _running = true;
        var savedExc = ts.CurrentExc;
        PyException? raised = null;
        try
        {
            Frame.Yielded = false;
            var r = Interpreter.Execute(ts, Frame);
            if (Frame.Yielded) { Frame.Yielded = false; return r; }
            Frame.Finished = true;
            result = r;
            return null;
        }
        catch (PyException e)
        {
            Frame.Finished = true;
            raised = e;
            if (e.Value.Type.IsSubtypeOf(PyBaseException.StopIterationType))
            {
                var re = PyBaseException.Create(PyBaseException.RuntimeErrorType, "generator raised StopIteration");
                re.Cause = e.Value; re.Context = e.Value; re.SuppressContext = true;
                raised = new PyException(re);
            }
        }
        finally { _running = false; ts.CurrentExc = savedExc; }
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
        if (Frame.Finished) throw new PyException(exc);
        if (!_started) { _started = true; Frame.Finished = true; throw new PyException(exc); }
        // delegate to a sub-iterator when suspended in 'yield from'
        if (Frame.Ip < Frame.Code.Code.Length && (Op)(Frame.Code.Code[Frame.Ip] & 0xFF) == Op.YieldFrom)
        {
            var sub = Frame.Stack[Frame.Sp - 1];
            PyObject? r = null;
            bool delegated = false;
            try
            {
                if (sub is PyGenerator sg) { delegated = true; r = sg.Throw(exc); }
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
        throw Ops.RuntimeError("generator ignored GeneratorExit");
    }

    internal static void InitType(PyType t)
    {
        t.AddMethod("send", (a, k) => ((PyGenerator)a[0]).Send(a[1]));
        t.AddMethod("__next__", (a, k) => ((PyGenerator)a[0]).Next() ?? throw Ops.StopIteration());
        t.AddMethod("__iter__", (a, k) => a[0]);
        t.AddMethod("throw", (a, k) =>
        {
            var g = (PyGenerator)a[0];
            PyBaseException exc;
            if (a[1] is PyType et)
            {
                var inst = a.Length > 2 && a[2] != PyNone.Instance ? (a[2] is PyBaseException be ? be : Interpreter.MakeException(Ops.Call1(et, a[2]))) : Interpreter.MakeException(et);
                exc = inst;
            }
            else exc = Interpreter.MakeException(a[1]);
            return g.Throw(exc);
        });
        t.AddMethod("close", (a, k) => { ((PyGenerator)a[0]).Close(); return PyNone.Instance; });
    }

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        switch (name.Value)
        {
            case "__name__": return new PyStr(Name);
            case "__qualname__": return new PyStr(QualName);
            case "gi_running": return PyBool.Of(_running);
            case "gi_frame": return Frame.Finished ? PyNone.Instance : PyBool.True;
        }
        return base.GetAttrOrNull(name);
    }
}
