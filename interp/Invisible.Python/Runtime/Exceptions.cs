using System;
using System.Collections.Generic;
using System.Text;

namespace Invisible.Python.Runtime;

public readonly struct TraceEntry
{
    public readonly string File;
    public readonly int Line;
    public readonly string Func;
    /// <summary>The frame the entry is in (tb_frame) and its last instruction's offset (tb_lasti, 2 per instruction).</summary>
    public readonly Vm.Frame? Frame;
    public readonly int Lasti;
    public TraceEntry(string file, int line, string func, Vm.Frame? frame = null, int lasti = -1)
    { File = file; Line = line; Func = func; Frame = frame; Lasti = lasti; }
}

public sealed class PyBaseException : PyObject
{
    private readonly PyType _type;
    public PyTuple Args;
    public PyObject Cause = PyNone.Instance;
    public PyObject Context = PyNone.Instance;
    /// <summary>AttributeError.name/.obj and NameError.name when the interpreter raised it (CPython 3.11's members;
    /// kept out of __dict__ so pickling and copying see what CPython's do).</summary>
    public PyObject? ErrName, ErrObj;
    public bool SuppressContext;
    public List<TraceEntry> Traceback = new();
    public object? LastFrame;
    /// <summary>The traceback chain made from <see cref="Traceback"/> so far (outermost first) and how many entries it
    /// covers: entries added later (outer frames) are prepended, so traceback objects keep their identity.</summary>
    private PyObject? _tbHead;
    private int _tbCovered;
    private PyDict? _dict;

    public PyBaseException(PyType type, PyTuple args) { _type = type; Args = args; }
    public override PyType Type => _type;
    public override PyDict? Dict => _dict ??= new PyDict();

    public static PyBaseException Create(PyType type, params PyObject[] args) => new(type, new PyTuple(args));
    public static PyBaseException Create(PyType type, string msg) => new(type, new PyTuple(new PyObject[] { new PyStr(msg) }));

    public override string Str()
    {
        if (_type.IsSubtypeOf(KeyErrorType) && Args.Items.Length == 1) return Ops.Repr(Args.Items[0]);
        if (ExceptionGroups.BaseExceptionGroupType != null && _type.IsSubtypeOf(ExceptionGroups.BaseExceptionGroupType))
        {
            int n = ExceptionGroups.Exceptions(this).Items.Length;
            return $"{Ops.Str(ExceptionGroups.Message(this))} ({n} sub-exception{(n == 1 ? "" : "s")})";
        }
        // a SyntaxError made by SyntaxError.__init__ shows its msg member with the file and line (SyntaxError_str)
        if (_type.IsSubtypeOf(SyntaxErrorType) && _dict?.GetOrNull("msg") is PyObject msg) return SyntaxErrorStr(msg);
        if (Args.Items.Length == 0) return "";
        if (_type.IsSubtypeOf(OSErrorType))
        {
            if (OSErrorStr() is string os) return os;
            if (_dict?.GetOrNull(SErrno) == null && Args.Items.Length >= 2 && Args.Items.Length <= 3) // made by C# code without InitOSError
                return $"[Errno {Ops.Str(Args.Items[0])}] {Ops.Str(Args.Items[1])}" + (Args.Items.Length == 3 ? ": " + Ops.Repr(Args.Items[2]) : "");
        }
        if (_type.IsSubtypeOf(UnicodeErrorType) && UnicodeErrorStr() is string u) return u;
        if (Args.Items.Length == 1) return Ops.Str(Args.Items[0]);
        return Args.Repr();
    }

    private static bool IsTranslateError(PyType t) => All.TryGetValue("UnicodeTranslateError", out var tt) && t.IsSubtypeOf(tt);

    /// <summary>The (encoding, object, start, end, reason) attributes of a UnicodeEncodeError/DecodeError made
    /// with CPython's five arguments (UnicodeTranslateError: no encoding), as set afterwards or from the arguments.</summary>
    private PyObject? UnicodeAttr(string name)
    {
        if (_dict?.GetOrNull(name) is PyObject v) return v;
        bool translate = IsTranslateError(_type);
        int n = translate ? 4 : 5;
        if (Args.Items.Length != n) return null;
        int i = name switch { "encoding" => translate ? -1 : 0, "object" => 1, "start" => 2, "end" => 3, "reason" => 4, _ => -1 };
        if (i < 0) return null;
        var value = Args.Items[translate ? i - 1 : i];
        // UnicodeDecodeError keeps its object as bytes (CPython's UnicodeDecodeError_init copies a bytearray or memoryview)
        if (i == 1 && (value is PyByteArray || value is not PyBytes) && _type.IsSubtypeOf(UnicodeDecodeErrorType) && Modules.Buffers.TryRead(value, out var span))
            return new PyBytes(span.ToArray());
        return value;
    }

    /// <summary>CPython's UnicodeEncodeError/DecodeError/TranslateError.__str__; null when not made with their arguments.</summary>
    private string? UnicodeErrorStr()
    {
        bool translate = IsTranslateError(_type);
        if (UnicodeAttr("object") is not PyObject obj || UnicodeAttr("start") is not PyInt st || UnicodeAttr("end") is not PyInt en) return null;
        string reason = UnicodeAttr("reason") is PyObject r ? Ops.Str(r) : "";
        string prefix = translate ? "can't translate" : $"'{(UnicodeAttr("encoding") is PyObject e ? Ops.Str(e) : "")}' codec can't {(_type.IsSubtypeOf(UnicodeDecodeErrorType) ? "decode" : "encode")}";
        long start = st.V, end = en.V;
        if (obj is PyBytes b)
        {
            if (start >= 0 && start < b.Span.Length && end == start + 1) return $"{prefix} byte 0x{b.Span[(int)start]:x2} in position {start}: {reason}";
            return $"{prefix} bytes in position {start}-{end - 1}: {reason}";
        }
        if (obj is PyStr s)
        {
            if (end == start + 1 && start >= 0 && CodePointAt(s.Value, start) is int cp)
            {
                string ch = cp <= 0xff ? $"\\x{cp:x2}" : cp <= 0xffff ? $"\\u{cp:x4}" : $"\\U{cp:x8}";
                return $"{prefix} character '{ch}' in position {start}: {reason}";
            }
            return $"{prefix} characters in position {start}-{end - 1}: {reason}";
        }
        return null;
    }

    /// <summary>The code point at code-point index <paramref name="index"/> (a lone surrogate counts as one).</summary>
    private static int? CodePointAt(string s, long index)
    {
        long n = 0;
        for (int i = 0; i < s.Length; i++, n++)
        {
            int c = s[i];
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) c = char.ConvertToUtf32(s[i], s[++i]);
            if (n == index) return c;
        }
        return null;
    }

    /// <summary>CPython's SyntaxError.__str__: <c>msg (file, line N)</c>, the file's base name only.</summary>
    private string SyntaxErrorStr(PyObject msg)
    {
        string text = Ops.Str(msg);
        PyObject? file = Dict!.GetOrNull("filename"), line = Dict.GetOrNull("lineno");
        bool haveLine = line is PyInt;
        string? name = file is PyStr f ? System.IO.Path.GetFileName(f.Value) : null;
        if (name != null && haveLine) return text + " (" + name + ", line " + Ops.Str(line!) + ")";
        if (name != null) return text + " (" + name + ")";
        if (haveLine) return text + " (line " + Ops.Str(line!) + ")";
        return text;
    }
    public override string Repr()
    {
        if (Args.Items.Length == 1) return _type.Name + "(" + Ops.Repr(Args.Items[0]) + ")";
        return _type.Name + Args.Repr();
    }

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        switch (name.Value)
        {
            case "args": return Args;
            case "__cause__": return Cause;
            case "__context__": return Context;
            case "__suppress_context__": return PyBool.Of(SuppressContext);
            case "__traceback__": return TracebackObject();
            case "__notes__": if (_dict?.GetOrNull(name) is PyObject notes) return notes; break;
        }
        var r = base.GetAttrOrNull(name);
        if (r != null) return r;
        switch (name.Value)
        {
            case "value": if (_type.IsSubtypeOf(StopIterationType)) return Args.Items.Length > 0 ? Args.Items[0] : PyNone.Instance; break;
            case "code": if (_type.IsSubtypeOf(SystemExitType)) return Args.Items.Length == 0 ? PyNone.Instance : Args.Items.Length == 1 ? Args.Items[0] : Args; break;
            case "msg":
                if (_type.IsSubtypeOf(SyntaxErrorType)) return Args.Items.Length > 0 ? Args.Items[0] : PyNone.Instance;
                if (_type.IsSubtypeOf(ImportErrorType)) return Args.Items.Length == 1 ? Args.Items[0] : PyNone.Instance;
                break;
            case "errno": case "strerror": case "filename":
                if (_type.IsSubtypeOf(OSErrorType))
                {
                    if (Args.Items.Length >= 2) return name.Value == "errno" ? Args.Items[0] : name.Value == "strerror" ? Args.Items[1] : Args.Items.Length > 2 ? Args.Items[2] : PyNone.Instance;
                    return PyNone.Instance;
                }
                if (name.Value == "filename" && _type.IsSubtypeOf(SyntaxErrorType)) return PyNone.Instance;
                break;
            case "lineno": case "offset": case "text": case "end_lineno": case "end_offset": case "print_file_and_line":
                if (_type.IsSubtypeOf(SyntaxErrorType)) return PyNone.Instance; // CPython's members default to None
                break;
            case "name": case "path":
                if (_type.IsSubtypeOf(ImportErrorType)) return PyNone.Instance;
                if (name.Value == "name" && (_type.IsSubtypeOf(AttributeErrorType) || _type.IsSubtypeOf(NameErrorType))) return ErrName ?? PyNone.Instance;
                break;
            case "obj": if (_type.IsSubtypeOf(AttributeErrorType)) return ErrObj ?? PyNone.Instance; break;
            case "encoding": case "object": case "start": case "end": case "reason":
                if (_type.IsSubtypeOf(UnicodeErrorType)) return UnicodeAttr(name.Value);
                break;
        }
        return null;
    }

    public override void DelAttr(PyStr name)
    {
        if (name.Value is "args" or "__cause__" or "__context__" or "__traceback__" or "__suppress_context__")
            throw Ops.TypeError(name.Value == "__suppress_context__" ? "can't delete numeric/char attribute" : name.Value + " may not be deleted");
        base.DelAttr(name);
    }

    public override void SetAttr(PyStr name, PyObject value)
    {
        switch (name.Value)
        {
            case "args": Args = new PyTuple(Ops.ToArray(value)); return;
            case "__cause__":
                if (value is not (PyNone or PyBaseException)) throw Ops.TypeError("exception cause must be None or derive from BaseException");
                Cause = value; SuppressContext = true; return;
            case "__context__":
                if (value is not (PyNone or PyBaseException)) throw Ops.TypeError("exception context must be None or derive from BaseException");
                Context = value; return;
            case "__suppress_context__": SuppressContext = Ops.IsTrue(value); return;
            case "__traceback__": SetTraceback(value); return;
        }
        base.SetAttr(name, value);
    }

    /// <summary>__traceback__: a chain of traceback objects, outermost first, or None.</summary>
    public PyObject TracebackObject()
    {
        var next = _tbHead ?? PyNone.Instance;
        for (int i = _tbCovered; i < Traceback.Count; i++)
        {
            var e = Traceback[i];
            PyObject frame = e.Frame != null ? Vm.PyFrameObject.Of(e.Frame) : PyNone.Instance;
            next = new Vm.PyTracebackObject(next, frame, e.Lasti >= 0 ? e.Lasti : 0, e.Line);
        }
        _tbHead = next;
        _tbCovered = Traceback.Count;
        return next;
    }

    /// <summary>Assigning __traceback__ (or with_traceback): the chain becomes the entries a later raise extends.</summary>
    public void SetTraceback(PyObject value)
    {
        if (value == PyNone.Instance) { Traceback = new List<TraceEntry>(); _tbHead = null; _tbCovered = 0; }
        else if (value is Vm.PyTracebackObject tb)
        {
            Traceback = Vm.PyTracebackObject.EntriesOf(tb);
            _tbHead = tb;
            _tbCovered = Traceback.Count;
        }
        else throw Ops.TypeError("__traceback__ must be a traceback or None");
        LastFrame = null;
    }

    public static PyType BaseExceptionType = null!, ExceptionType = null!, TypeErrorType = null!, ValueErrorType = null!,
        KeyErrorType = null!, IndexErrorType = null!, AttributeErrorType = null!, NameErrorType = null!, UnboundLocalErrorType = null!,
        ZeroDivisionErrorType = null!, StopIterationType = null!, RuntimeErrorType = null!, RecursionErrorType = null!,
        NotImplementedErrorType = null!, OverflowErrorType = null!, AssertionErrorType = null!, ImportErrorType = null!,
        ModuleNotFoundErrorType = null!, SyntaxErrorType = null!, IndentationErrorType = null!, SystemExitType = null!,
        GeneratorExitType = null!, KeyboardInterruptType = null!, OSErrorType = null!, FileNotFoundErrorType = null!,
        LookupErrorType = null!, ArithmeticErrorType = null!, MemoryErrorType = null!, EOFErrorType = null!,
        UnicodeDecodeErrorType = null!, UnicodeEncodeErrorType = null!, UnicodeErrorType = null!, StopAsyncIterationType = null!;

    public static readonly Dictionary<string, PyType> All = new();

    private static PyObject NewExc(PyType cls, ReadOnlySpan<PyObject> args, PyStr[]? kw)
    {
        int n = args.Length - (kw?.Length ?? 0);
        if (cls.IsSubtypeOf(OSErrorType))
        {
            // OSError(errno, strerror, ...) made as OSError itself picks the subclass of that errno (PEP 3151)
            if (cls == OSErrorType && n >= 2 && args[0] is PyInt en && en.BigV == null && ErrnoSubclass.TryGetValue(en.V, out var sub)) cls = sub;
            var e = new PyBaseException(cls, PyTuple.Empty);
            e.InitOSError(args.Slice(0, n));
            return e;
        }
        return new PyBaseException(cls, new PyTuple(args.Slice(0, n).ToArray()));
    }

    /// <summary>errno → OSError subclass (CPython's errnomap; Linux errno values).</summary>
    private static readonly Dictionary<long, PyType> ErrnoSubclass = new();

    private static readonly PyStr SErrno = PyStr.Intern("errno"), SStrerror = PyStr.Intern("strerror"),
        SFilename = PyStr.Intern("filename"), SFilename2 = PyStr.Intern("filename2"), SCharsWritten = PyStr.Intern("characters_written");

    /// <summary>OSError's argument rules (CPython's oserror_parse_args/oserror_init): with 2 to 5 arguments they are
    /// errno, strerror, filename, winerror, filename2, and args keeps only (errno, strerror) when a filename is given;
    /// BlockingIOError's third argument is characters_written.</summary>
    internal void InitOSError(ReadOnlySpan<PyObject> args)
    {
        var d = Dict!;
        PyObject none = PyNone.Instance;
        d.SetItem(SErrno, none); d.SetItem(SStrerror, none); d.SetItem(SFilename, none); d.SetItem(SFilename2, none);
        int n = args.Length;
        if (n >= 2 && n <= 5)
        {
            d.SetItem(SErrno, args[0]);
            d.SetItem(SStrerror, args[1]);
            if (n >= 3)
            {
                if (_type.IsSubtypeOf(All["BlockingIOError"]) && args[2] is PyInt cw) d.SetItem(SCharsWritten, cw);
                else
                {
                    d.SetItem(SFilename, args[2]);
                    if (n == 5) d.SetItem(SFilename2, args[4]);
                    Args = new PyTuple(new[] { args[0], args[1] });
                    return;
                }
            }
        }
        Args = new PyTuple(args.ToArray());
    }

    /// <summary>SyntaxError(msg, (filename, lineno, offset, text[, end_lineno, end_offset])), as CPython's
    /// SyntaxError_init: the details are unpacked into the attributes.</summary>
    internal void InitSyntaxError(ReadOnlySpan<PyObject> args)
    {
        var d = Dict!;
        d.SetItem("msg", args.Length >= 1 ? args[0] : PyNone.Instance);
        if (args.Length != 2) return;
        var info = Ops.ToArray(args[1]);
        if (info.Length < 4) throw Ops.TypeError($"function takes at least 4 arguments ({info.Length} given)");
        if (info.Length > 6) throw Ops.TypeError($"function takes at most 6 arguments ({info.Length} given)");
        d.SetItem("filename", info[0]);
        d.SetItem("lineno", info[1]);
        d.SetItem("offset", info[2]);
        d.SetItem("text", info[3]);
        if (info.Length == 5) throw Ops.TypeError("end_offset must be provided when end_lineno is provided");
        d.SetItem("end_lineno", info.Length == 6 ? info[4] : PyNone.Instance);
        d.SetItem("end_offset", info.Length == 6 ? info[5] : PyNone.Instance);
    }

    private string? OSErrorStr()
    {
        var d = _dict;
        if (d == null) return null;
        PyObject? errno = d.GetOrNull(SErrno), strerror = d.GetOrNull(SStrerror), filename = d.GetOrNull(SFilename), filename2 = d.GetOrNull(SFilename2);
        if (errno == null || strerror == null) return null;
        if (filename != null && filename != PyNone.Instance)
        {
            var s = $"[Errno {Ops.Str(errno)}] {Ops.Str(strerror)}: {Ops.Repr(filename)}";
            if (filename2 != null && filename2 != PyNone.Instance) s += " -> " + Ops.Repr(filename2);
            return s;
        }
        if (errno != PyNone.Instance && strerror != PyNone.Instance) return $"[Errno {Ops.Str(errno)}] {Ops.Str(strerror)}";
        return null;
    }

    /// <summary>The keyword arguments the built-in exceptions take (ImportError: name, path, and msg from a single
    /// argument; AttributeError: name, obj; NameError: name); any other is a TypeError, as CPython's.</summary>
    private void InitKeywords(ReadOnlySpan<PyObject> values, PyStr[] names)
    {
        string owner = _type.IsSubtypeOf(ImportErrorType) ? "ImportError" : _type.IsSubtypeOf(AttributeErrorType) ? "AttributeError"
            : _type.IsSubtypeOf(NameErrorType) ? "NameError" : "";
        if (owner.Length == 0) throw Ops.TypeError($"{_type.Name}() takes no keyword arguments");
        PyObject? name = null, path = null, obj = null;
        for (int i = 0; i < names.Length; i++)
        {
            switch (names[i].Value)
            {
                case "name": name = values[i]; continue;
                case "path" when owner == "ImportError": path = values[i]; continue;
                case "obj" when owner == "AttributeError": obj = values[i]; continue;
            }
            throw Ops.TypeError($"'{names[i].Value}' is an invalid keyword argument for {owner}()");
        }
        if (owner == "ImportError")
        {
            var d = Dict!;
            d.SetItem(PyStr.Intern("name"), name ?? PyNone.Instance);
            d.SetItem(PyStr.Intern("path"), path ?? PyNone.Instance);
            d.SetItem(PyStr.Intern("msg"), Args.Items.Length == 1 ? Args.Items[0] : PyNone.Instance);
            return;
        }
        if (name != null) ErrName = name;
        if (obj != null) ErrObj = obj;
    }

    private static PyType Make(string name, PyType? b)
    {
        var t = new PyType(name, b, b == null ? NewExc : null);
        All[name] = t;
        return t;
    }

    internal static void Init()
    {
        BaseExceptionType = Make("BaseException", PyType.ObjectType);
        BaseExceptionType.New = NewExc;
        BaseExceptionType.AddMethod("__init__", (a, k) =>
        {
            var self = (PyBaseException)a[0];
            int nk = k?.Length ?? 0;
            self.Args = new PyTuple(a.Slice(1, a.Length - 1 - nk).ToArray());
            if (nk > 0 || self._type.IsSubtypeOf(ImportErrorType)) self.InitKeywords(a.Slice(a.Length - nk), k ?? Array.Empty<PyStr>());
            return PyNone.Instance;
        });
        BaseExceptionType.AddMethod("__reduce__", (a, k) =>
        {
            // CPython's BaseException.__reduce__: (type, args[, __dict__]); __setstate__ puts the dict back
            var self = (PyBaseException)a[0];
            return self._dict is { Count: > 0 } d ? new PyTuple(new PyObject[] { self._type, self.Args, d }) : new PyTuple(new PyObject[] { self._type, self.Args });
        });
        BaseExceptionType.AddMethod("__setstate__", (a, k) =>
        {
            if (a.Length != 2) throw Ops.TypeError($"BaseException.__setstate__() takes exactly one argument ({a.Length - 1} given)");
            if (a[1] is PyDict state)
                foreach (var key in state.KeyList()) Ops.SetAttr(a[0], key as PyStr ?? throw Ops.TypeError("attribute name must be string"), state.GetOrNull(key)!);
            else if (a[1] != PyNone.Instance) throw Ops.TypeError("state is not a dictionary");
            return PyNone.Instance;
        });
        BaseExceptionType.AddMethod("with_traceback", (a, k) =>
        {
            if (a.Length != 2) throw Ops.TypeError($"BaseException.with_traceback() takes exactly one argument ({a.Length - 1} given)");
            ((PyBaseException)a[0]).SetTraceback(a[1]);
            return a[0];
        });
        BaseExceptionType.AddMethod("add_note", (a, k) =>
        {
            if (a.Length != 2) throw Ops.TypeError($"BaseException.add_note() takes exactly one argument ({a.Length - 1} given)");
            if (a[1] is not PyStr) throw Ops.TypeError($"note must be a str, not '{a[1].Type.Name}'");
            var self = (PyBaseException)a[0];
            var key = PyStr.Intern("__notes__");
            var notes = self.Dict!.GetOrNull(key);
            if (notes == null) { notes = new PyList(); self.Dict.SetItem(key, notes); }
            else if (notes is not PyList) throw Ops.TypeError("Cannot add note: __notes__ is not a list");
            ((PyList)notes).Append(a[1]);
            return PyNone.Instance;
        });
        BaseExceptionType.AddMethod("__str__", (a, k) => new PyStr(((PyBaseException)a[0]).Str()));
        BaseExceptionType.AddMethod("__repr__", (a, k) => new PyStr(((PyBaseException)a[0]).Repr()));
        SystemExitType = Make("SystemExit", BaseExceptionType);
        KeyboardInterruptType = Make("KeyboardInterrupt", BaseExceptionType);
        GeneratorExitType = Make("GeneratorExit", BaseExceptionType);
        ExceptionType = Make("Exception", BaseExceptionType);
        StopIterationType = Make("StopIteration", ExceptionType);
        StopAsyncIterationType = Make("StopAsyncIteration", ExceptionType);
        ArithmeticErrorType = Make("ArithmeticError", ExceptionType);
        Make("FloatingPointError", ArithmeticErrorType);
        OverflowErrorType = Make("OverflowError", ArithmeticErrorType);
        ZeroDivisionErrorType = Make("ZeroDivisionError", ArithmeticErrorType);
        AssertionErrorType = Make("AssertionError", ExceptionType);
        AttributeErrorType = Make("AttributeError", ExceptionType);
        Make("BufferError", ExceptionType);
        EOFErrorType = Make("EOFError", ExceptionType);
        ImportErrorType = Make("ImportError", ExceptionType);
        ModuleNotFoundErrorType = Make("ModuleNotFoundError", ImportErrorType);
        LookupErrorType = Make("LookupError", ExceptionType);
        IndexErrorType = Make("IndexError", LookupErrorType);
        KeyErrorType = Make("KeyError", LookupErrorType);
        MemoryErrorType = Make("MemoryError", ExceptionType);
        NameErrorType = Make("NameError", ExceptionType);
        UnboundLocalErrorType = Make("UnboundLocalError", NameErrorType);
        OSErrorType = Make("OSError", ExceptionType);
        OSErrorType.AddMethod("__init__", (a, k) =>
        {
            var self = (PyBaseException)a[0];
            // __new__ already parsed the arguments; a subclass's __init__ calling super().__init__(...) parses its own
            int n = a.Length - 1 - (k?.Length ?? 0);
            if (self.Type.IsHeap) self.InitOSError(a.Slice(1, n));
            return PyNone.Instance;
        });
        All["IOError"] = OSErrorType; All["EnvironmentError"] = OSErrorType;
        FileNotFoundErrorType = Make("FileNotFoundError", OSErrorType);
        Make("FileExistsError", OSErrorType);
        Make("PermissionError", OSErrorType);
        Make("IsADirectoryError", OSErrorType);
        Make("NotADirectoryError", OSErrorType);
        Make("TimeoutError", OSErrorType);
        Make("InterruptedError", OSErrorType);
        Make("BlockingIOError", OSErrorType);
        var conn = Make("ConnectionError", OSErrorType);
        Make("BrokenPipeError", conn);
        Make("ConnectionResetError", conn);
        Make("ConnectionRefusedError", conn);
        Make("ConnectionAbortedError", conn);
        Make("ChildProcessError", OSErrorType);
        Make("ProcessLookupError", OSErrorType);
        foreach (var (errno, name) in new (long, string)[] {
            (11, "BlockingIOError"), (114, "BlockingIOError"), (115, "BlockingIOError"), (10, "ChildProcessError"),
            (32, "BrokenPipeError"), (108, "BrokenPipeError"), (103, "ConnectionAbortedError"), (111, "ConnectionRefusedError"),
            (104, "ConnectionResetError"), (17, "FileExistsError"), (2, "FileNotFoundError"), (21, "IsADirectoryError"),
            (20, "NotADirectoryError"), (4, "InterruptedError"), (13, "PermissionError"), (1, "PermissionError"),
            (3, "ProcessLookupError"), (110, "TimeoutError") })
            ErrnoSubclass[errno] = All[name];
        Make("ReferenceError", ExceptionType);
        RuntimeErrorType = Make("RuntimeError", ExceptionType);
        NotImplementedErrorType = Make("NotImplementedError", RuntimeErrorType);
        RecursionErrorType = Make("RecursionError", RuntimeErrorType);
        SyntaxErrorType = Make("SyntaxError", ExceptionType);
        SyntaxErrorType.AddMethod("__init__", (a, k) =>
        {
            var self = (PyBaseException)a[0];
            var args = a.Slice(1, a.Length - 1 - (k?.Length ?? 0));
            self.Args = new PyTuple(args.ToArray());
            self.InitSyntaxError(args);
            return PyNone.Instance;
        });
        IndentationErrorType = Make("IndentationError", SyntaxErrorType);
        Make("TabError", IndentationErrorType);
        Make("SystemError", ExceptionType);
        TypeErrorType = Make("TypeError", ExceptionType);
        ValueErrorType = Make("ValueError", ExceptionType);
        UnicodeErrorType = Make("UnicodeError", ValueErrorType);
        UnicodeDecodeErrorType = Make("UnicodeDecodeError", UnicodeErrorType);
        UnicodeEncodeErrorType = Make("UnicodeEncodeError", UnicodeErrorType);
        Make("UnicodeTranslateError", UnicodeErrorType);
        ExceptionGroups.Init(Make);
        var warning = Make("Warning", ExceptionType);
        foreach (var w in new[] { "UserWarning", "DeprecationWarning", "PendingDeprecationWarning", "SyntaxWarning", "RuntimeWarning", "FutureWarning", "ImportWarning", "UnicodeWarning", "BytesWarning", "ResourceWarning", "EncodingWarning" })
            Make(w, warning);
    }

    /// <summary>CPython-format traceback text.</summary>
    public string FormatTraceback(Func<string, int, string?>? sourceLine)
    {
        var sb = new StringBuilder();
        FormatChain(sb, sourceLine, new HashSet<PyBaseException>());
        return sb.ToString();
    }

    private void FormatChain(StringBuilder sb, Func<string, int, string?>? sourceLine, HashSet<PyBaseException> seen)
    {
        seen.Add(this);
        if (Cause is PyBaseException c && !seen.Contains(c))
        {
            c.FormatChain(sb, sourceLine, seen);
            sb.Append("\nThe above exception was the direct cause of the following exception:\n\n");
        }
        else if (!SuppressContext && Context is PyBaseException ctx && !seen.Contains(ctx))
        {
            ctx.FormatChain(sb, sourceLine, seen);
            sb.Append("\nDuring handling of the above exception, another exception occurred:\n\n");
        }
        if (Traceback.Count > 0)
        {
            sb.Append("Traceback (most recent call last):\n");
            for (int i = Traceback.Count - 1; i >= 0; i--)
            {
                var e = Traceback[i];
                sb.Append($"  File \"{e.File}\", line {e.Line}, in {e.Func}\n");
                var src = sourceLine?.Invoke(e.File, e.Line);
                if (src != null) sb.Append("    ").Append(src.Trim()).Append('\n');
            }
        }
        sb.Append(FormatOnly());
        if (Suggestions.For(this) is string hint) sb.Append(". Did you mean: '").Append(hint).Append("'?");
        sb.Append('\n');
        // PEP 678: each note on its own line after the exception, as CPython's print_exception
        if (_dict?.GetOrNull(PyStr.Intern("__notes__")) is PyObject notes)
        {
            if (notes is PyList nl)
                foreach (var n in nl.Items.AsSpan(0, nl.Count)) sb.Append(n is PyStr ns ? ns.Value : SafeStr(n)).Append('\n');
            else sb.Append(SafeRepr(notes)).Append('\n');
        }
    }

    private static string SafeStr(PyObject o) { try { return Ops.Str(o); } catch (PyException) { return "<note str() failed>"; } }
    private static string SafeRepr(PyObject o) { try { return Ops.Repr(o); } catch (PyException) { return "<__notes__ repr() failed>"; } }

    public string FormatOnly()
    {
        string name = _type.ModuleName == null || _type.ModuleName == "builtins" || _type.ModuleName == "__main__" ? _type.QualName : _type.ModuleName + "." + _type.QualName;
        string msg;
        try { msg = Ops.Str(this); } catch (PyException) { msg = "<exception str() failed>"; }
        if (_type.IsSubtypeOf(SyntaxErrorType) && Dict!.GetOrNull("lineno") is PyInt ln)
        {
            var sb = new StringBuilder();
            var file = Dict.GetOrNull("filename");
            sb.Append($"  File \"{(file == null ? "<string>" : Ops.Str(file))}\", line {ln.V}\n");
            if (Dict.GetOrNull("text") is PyStr text)
            {
                var t = text.Value.TrimEnd('\n');
                var trimmed = t.TrimStart();
                sb.Append("    ").Append(trimmed).Append('\n');
                if (Dict.GetOrNull("offset") is PyInt off)
                {
                    int col = (int)off.V - (t.Length - trimmed.Length);
                    int width = 1; // a range on the error's line is underlined whole, like CPython
                    if (Dict.GetOrNull("end_offset") is PyInt eo && Dict.GetOrNull("end_lineno") is PyInt el && el.V == ln.V && eo.V > off.V)
                        width = (int)Math.Min(eo.V - off.V, Math.Max(1, trimmed.Length - (col - 1)));
                    if (col >= 1) sb.Append("    ").Append(new string(' ', col - 1)).Append('^', width).Append('\n'); // none left of the text
                }
            }
            sb.Append(name).Append(": ").Append(Args.Items.Length > 0 ? Ops.Str(Args.Items[0]) : "");
            return sb.ToString();
        }
        return msg.Length == 0 ? name : name + ": " + msg;
    }
}
