using System;
using System.Collections.Generic;
using Invisible.Python.Runtime;

namespace Invisible.Python.Vm;

/// <summary>A frame as Python code sees it (CPython's <c>PyFrameObject</c>): <c>sys._getframe()</c>, <c>tb_frame</c>,
/// <c>inspect.currentframe()</c>. One per <see cref="Frame"/>, made on first request (the eval loop never makes
/// one), so <c>sys._getframe() is sys._getframe()</c> holds as in CPython.</summary>
public sealed class PyFrameObject : PyObject
{
    public static PyType TypeObj = null!;
    public readonly Frame Frame;
    /// <summary>f_trace: the local trace function (kept for sys.settrace users; see README).</summary>
    public PyObject Trace = PyNone.Instance;
    private bool _traceLines = true, _traceOpcodes;
    /// <summary>f_locals of a function frame: one dict per frame, refreshed from the fast locals on each read, as
    /// CPython 3.11's PyFrame_FastToLocals does (writes to it do not reach the locals).</summary>
    private PyDict? _localsSnapshot;

    private PyFrameObject(Frame f) { Frame = f; }

    public static PyFrameObject Of(Frame f)
    {
        f.Escaped = true; // Python code may keep it: the frame is never reused (Frame.Escaped)
        return f.Wrapper ??= new PyFrameObject(f);
    }

    public override PyType Type => TypeObj;
    public override string Repr() => $"<frame at 0x{Ops.Id(this):x}, file '{Frame.Code.Filename}', line {Frame.CurrentLine}, code {Frame.Code.Name}>";

    internal static void InitType(PyType t)
    {
        t.AddMethod("clear", (a, k) => { ((PyFrameObject)a[0]).Clear(); return PyNone.Instance; });
    }

    /// <summary>frame.clear(): drops the locals of a frame that no longer runs (CPython: RuntimeError while it runs).</summary>
    private void Clear()
    {
        if (Frame.Yielded && !Frame.Finished) throw Ops.RuntimeError("cannot clear a suspended frame");
        for (var ts = ThreadState.CurrentOrNull?.CurrentFrame; ts != null; ts = ts.Back)
            if (ReferenceEquals(ts, Frame)) throw Ops.RuntimeError("cannot clear an executing frame");
        Array.Clear(Frame.Fast, 0, Frame.Code.NLocals);
        _localsSnapshot = null;
    }

    internal PyObject LocalsDict()
    {
        var f = Frame;
        if (f.Locals != null) return f.Locals;
        if (f.Code.IsModule) return f.Globals;
        // CPython 3.11's PyFrame_FastToLocals: bound variables are set, unbound ones removed; other keys (exec("y = 1")
        // in the function) stay
        var d = _localsSnapshot ??= new PyDict();
        var code = f.Code;
        for (int i = 0; i < code.VarNames.Length; i++)
        {
            if (f.Fast[i] is PyObject v) d.SetItem(code.VarNameStrs[i], v);
            else d.Remove(code.VarNameStrs[i]);
        }
        for (int i = 0; i < f.Cells.Length; i++)
        {
            var name = PyStr.Intern(i < code.CellVars.Length ? code.CellVars[i] : code.FreeVars[i - code.CellVars.Length]);
            if (f.Cells[i]?.Value is PyObject v) d.SetItem(name, v);
            else d.Remove(name);
        }
        return d;
    }

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        switch (name.Value)
        {
            case "f_back": return Frame.Back is Frame b ? Of(b) : PyNone.Instance;
            case "f_code": return PyCodeWrapper.Of(Frame.Code);
            case "f_locals": return LocalsDict();
            case "f_globals": return Frame.Globals;
            case "f_builtins": return Frame.Builtins;
            case "f_lineno": return PyInt.Get(Frame.CurrentLine);
            case "f_lasti": return PyInt.Get(Math.Max(Frame.Ip - 1, 0) * 2);
            case "f_trace": return Trace;
            case "f_trace_lines": return PyBool.Of(_traceLines);
            case "f_trace_opcodes": return PyBool.Of(_traceOpcodes);
        }
        return base.GetAttrOrNull(name);
    }

    public override void SetAttr(PyStr name, PyObject value)
    {
        switch (name.Value)
        {
            case "f_trace": Trace = value; return;
            case "f_trace_lines": _traceLines = CheckBool(value, name.Value); return;
            case "f_trace_opcodes": _traceOpcodes = CheckBool(value, name.Value); return;
            case "f_lineno": throw Ops.ValueError("f_lineno can only be set by a trace function");
        }
        if (name.Value is "f_back" or "f_code" or "f_locals" or "f_globals" or "f_builtins" or "f_lasti")
            throw Ops.Exc(PyBaseException.AttributeErrorType, $"attribute '{name.Value}' of 'frame' objects is not writable");
        throw Ops.Exc(PyBaseException.AttributeErrorType, $"'frame' object has no attribute '{name.Value}'");
    }

    private static bool CheckBool(PyObject v, string attr)
    {
        if (v is not PyBool b) throw Ops.TypeError($"attribute value type must be bool");
        return b == PyBool.True;
    }
}

/// <summary>A traceback entry (CPython's <c>PyTracebackObject</c>): the chain an exception's <c>__traceback__</c> starts,
/// outermost frame first. Built from <see cref="PyBaseException.Traceback"/> on first request.</summary>
public sealed class PyTracebackObject : PyObject
{
    public static PyType TypeObj = null!;
    public PyObject TbNext;
    public readonly PyObject FrameObj;
    public readonly int Lasti, Lineno;

    public PyTracebackObject(PyObject next, PyObject frame, int lasti, int lineno)
    {
        TbNext = next; FrameObj = frame; Lasti = lasti; Lineno = lineno;
    }

    public override PyType Type => TypeObj;

    /// <summary>types.TracebackType(tb_next, tb_frame, tb_lasti, tb_lineno), as CPython's tb_new.</summary>
    internal static PyObject New(PyType cls, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        int npos = Ops.PosCount(a, k);
        PyObject? next = Ops.Arg(a, k, 0, "tb_next"), frame = Ops.Arg(a, k, 1, "tb_frame"),
            lasti = Ops.Arg(a, k, 2, "tb_lasti"), lineno = Ops.Arg(a, k, 3, "tb_lineno");
        if (npos > 4) throw Ops.TypeError($"traceback() takes at most 4 arguments ({npos} given)");
        if (next == null || frame == null || lasti == null || lineno == null)
        {
            string[] names = { "tb_next", "tb_frame", "tb_lasti", "tb_lineno" };
            PyObject?[] got = { next, frame, lasti, lineno };
            for (int i = 0; i < 4; i++)
                if (got[i] == null) throw Ops.TypeError($"traceback() missing required argument '{names[i]}' (pos {i + 1})");
        }
        if (next != PyNone.Instance && next is not PyTracebackObject)
            throw Ops.TypeError($"expected traceback object or None, got '{next!.Type.Name}'");
        if (frame is not PyFrameObject)
            throw Ops.TypeError($"TracebackType() argument 'tb_frame' must be frame, not {frame!.Type.Name}");
        return new PyTracebackObject(next!, frame, (int)Ops.IndexValue(lasti!), (int)Ops.IndexValue(lineno!));
    }

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        switch (name.Value)
        {
            case "tb_next": return TbNext;
            case "tb_frame": return FrameObj;
            case "tb_lasti": return PyInt.Get(Lasti);
            case "tb_lineno": return PyInt.Get(Lineno);
        }
        return base.GetAttrOrNull(name);
    }

    public override void SetAttr(PyStr name, PyObject value)
    {
        if (name.Value == "tb_next")
        {
            if (value != PyNone.Instance && value is not PyTracebackObject)
                throw Ops.TypeError($"expected traceback object, got '{value.Type.Name}'");
            for (var c = value as PyTracebackObject; c != null; c = c.TbNext as PyTracebackObject)
                if (ReferenceEquals(c, this)) throw Ops.ValueError("traceback loop detected");
            TbNext = value;
            return;
        }
        if (name.Value is "tb_frame" or "tb_lasti" or "tb_lineno")
            throw Ops.Exc(PyBaseException.AttributeErrorType, $"readonly attribute");
        throw Ops.Exc(PyBaseException.AttributeErrorType, $"'traceback' object has no attribute '{name.Value}'");
    }

    /// <summary>The entries of a chain, innermost first (the order of <see cref="PyBaseException.Traceback"/>).</summary>
    internal static List<TraceEntry> EntriesOf(PyTracebackObject head)
    {
        var list = new List<TraceEntry>();
        var seen = new HashSet<PyTracebackObject>(ReferenceEqualityComparer.Instance);
        for (var c = head; c != null && seen.Add(c); c = c.TbNext as PyTracebackObject)
        {
            var fr = (c.FrameObj as PyFrameObject)?.Frame;
            list.Add(new TraceEntry(fr?.Code.Filename ?? "<unknown>", c.Lineno, fr?.Code.Name ?? "<unknown>", fr, c.Lasti));
        }
        list.Reverse();
        return list;
    }
}
