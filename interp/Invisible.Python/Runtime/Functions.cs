using System;
using Invisible.Python.Compiler;
using Invisible.Python.Vm;

namespace Invisible.Python.Runtime;

public sealed class PyFunction : PyObject
{
    public static PyType TypeObj = null!;
    /// <summary>The code it runs (assignable: <c>f.__code__ = ...</c>, as types.coroutine does).</summary>
    public CodeObject Code;
    public readonly PyDict Globals;
    /// <summary>The builtins its frames fall back to: those of the frame that defined it (CPython's func_builtins).</summary>
    public readonly PyDict Builtins;
    public PyObject[]? Defaults;
    public PyDict? KwDefaults;
    public readonly PyCell[]? Closure;
    public string Name, QualName;
    public PyObject Module;
    private PyDict? _dict;
    public PyObject Doc = PyNone.Instance;
    /// <summary>__annotations__: the dict MakeFunction built, or made empty on first read (CPython's func_get_annotations).</summary>
    public PyObject? Annotations;
    /// <summary>Native entry point given by the interpreter's native bridge (<see cref="INativeBridge.EntryOf"/>):
    /// 0 = not asked yet, -1 = none (the VM runs every call directly).</summary>
    public nint NativeEntry;

    public PyFunction(CodeObject code, PyDict globals, PyObject[]? defaults, PyDict? kwdefaults, PyCell[]? closure, PyDict builtins)
    {
        Code = code; Globals = globals; Defaults = defaults; KwDefaults = kwdefaults; Closure = closure; Builtins = builtins;
        Name = code.Name; QualName = code.QualName;
        Module = globals.GetOrNull(PyStr.S___name__) ?? PyNone.Instance;
    }
    public override PyType Type => TypeObj;
    public override PyDict? Dict => _dict ??= new PyDict();
    public override bool IsCallable => true;
    public override string Repr() => $"<function {QualName} at 0x{Ops.Id(this):x}>";
    public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames) => Interpreter.CallFunction(this, args, kwnames);
    public override PyObject? GetAttrOrNull(PyStr name)
    {
        switch (name.Value)
        {
            case "__name__": return new PyStr(Name);
            case "__qualname__": return new PyStr(QualName);
            case "__module__": return Module;
            case "__doc__": return Doc;
            case "__defaults__": return Defaults == null ? PyNone.Instance : new PyTuple(Defaults);
            case "__kwdefaults__": return (PyObject?)KwDefaults ?? PyNone.Instance;
            case "__code__": return PyCodeWrapper.Of(Code);
            case "__globals__": return Globals;
            case "__closure__": return Closure == null ? PyNone.Instance : new PyTuple(Closure);
            case "__wrapped__": return Dict!.GetOrNull(name);
            case "__annotations__": return Annotations ??= new PyDict();
            case "__dict__": return Dict;
            case "__builtins__": return Builtins;
        }
        return base.GetAttrOrNull(name);
    }
    /// <summary>The attributes in the type's dict, as CPython's func_getsetlist/func_memberlist (Lib's types.py takes
    /// GetSetDescriptorType and MemberDescriptorType from them); instances still answer them in GetAttrOrNull.
    /// Names that type objects answer themselves (__name__, __doc__, __dict__...) stay out: our type lookup reads the
    /// class dict before the metatype's descriptors.</summary>
    internal static void AddAttributeDescriptors(PyType t)
    {
        foreach (var name in new[] { "__code__", "__defaults__", "__kwdefaults__" })
            t.SetMember(name, Descriptor(t, name, SlotLayout.GetSetDescriptorType, "attribute"));
        foreach (var name in new[] { "__closure__", "__globals__", "__builtins__" })
            t.SetMember(name, Descriptor(t, name, SlotLayout.MemberDescriptorType, "member"));
    }

    private static PyObject Descriptor(PyType owner, string name, PyType kind, string what)
    {
        var key = PyStr.Intern(name);
        PyFunction Check(PyObject o) => o as PyFunction
            ?? throw Ops.TypeError($"descriptor '{name}' for 'function' objects doesn't apply to a '{o.Type.Name}' object");
        var get = new PyBuiltinFunction(name, (a, k) => Check(a[0]).GetAttrOrNull(key) ?? throw Ops.AttributeError(name));
        var set = new PyBuiltinFunction(name, (a, k) => { Check(a[0]).SetAttr(key, a[1]); return PyNone.Instance; });
        var del = new PyBuiltinFunction(name, (a, k) => { Check(a[0]).DelAttr(key); return PyNone.Instance; });
        return new PyProperty(get, set, del, kind, $"<{what} '{name}' of '{owner.Name}' objects>");
    }

    public override void SetAttr(PyStr name, PyObject value)
    {
        switch (name.Value)
        {
            case "__name__": Name = ((PyStr)value).Value; return;
            case "__qualname__": QualName = ((PyStr)value).Value; return;
            case "__module__": Module = value; return;
            case "__doc__": Doc = value; return;
            case "__defaults__": Defaults = value == PyNone.Instance ? null : ((PyTuple)value).Items; return;
            case "__code__":
                {
                    if (value is not PyCodeWrapper cw) throw Ops.TypeError("__code__ must be set to a code object");
                    int nfree = cw.Code.FreeVars.Length, have = Closure?.Length ?? 0;
                    if (nfree != have) throw Ops.ValueError($"{Name}() requires a code object with {have} free vars, not {nfree}");
                    Code = cw.Code;
                    NativeEntry = 0; // ask the native bridge again for the new code
                    return;
                }
            case "__annotations__":
                if (value != PyNone.Instance && value is not PyDict) throw Ops.TypeError("__annotations__ must be set to a dict object");
                Annotations = value == PyNone.Instance ? null : value;
                return;
        }
        Dict!.SetItem(name, value);
    }
}

public sealed class PyCodeWrapper : PyObject
{
    public static PyType TypeObj = null!;
    public readonly CodeObject Code;
    public PyCodeWrapper(CodeObject c) { Code = c; }
    public static PyCodeWrapper Of(CodeObject c) => (PyCodeWrapper)(c.Wrapper ??= new PyCodeWrapper(c));
    public override PyType Type => TypeObj;
    public override string Repr() => $"<code object {Code.Name} at 0x{Ops.Id(this):x}, file \"{Code.Filename}\", line {Code.FirstLine}>";

    // CPython's CO_* flags (Include/cpython/code.h): inspect.isgeneratorfunction and friends read them.
    private const int CoOptimized = 0x1, CoNewLocals = 0x2, CoVarArgs = 0x4, CoVarKeywords = 0x8, CoGenerator = 0x20,
        CoCoroutine = 0x80, CoIterableCoroutine = 0x100, CoAsyncGenerator = 0x200;

    internal int Flags
    {
        get
        {
            var c = Code;
            int fl = 0;
            if (!c.IsModule && !c.IsClassBody) fl |= CoOptimized | CoNewLocals;
            if (c.HasVarArgs) fl |= CoVarArgs;
            if (c.HasVarKw) fl |= CoVarKeywords;
            if (c.IsCoroutine) fl |= CoCoroutine;
            else if (c.IsAsyncGenerator) fl |= CoAsyncGenerator;
            else if (c.IsGenerator) fl |= CoGenerator;
            if (c.IsIterableCoroutine) fl |= CoIterableCoroutine;
            return fl;
        }
    }

    /// <summary>CPython's co_varnames: arguments and plain locals; a local that is a cell (captured by an inner function)
    /// is only in co_cellvars, unless it is an argument.</summary>
    private PyTuple VarNames()
    {
        var c = Code;
        if (c.CellVars.Length == 0) return Names(c.VarNames);
        int nargs = c.ArgCount + c.KwOnlyCount + (c.HasVarArgs ? 1 : 0) + (c.HasVarKw ? 1 : 0);
        var list = new System.Collections.Generic.List<PyObject>(c.VarNames.Length);
        for (int i = 0; i < c.VarNames.Length; i++)
            if (i < nargs || Array.IndexOf(c.CellVars, c.VarNames[i]) < 0) list.Add(PyStr.Intern(c.VarNames[i]));
        return new PyTuple(list.ToArray());
    }

    private static PyTuple Names(string[] names)
    {
        if (names.Length == 0) return PyTuple.Empty;
        var items = new PyObject[names.Length];
        for (int i = 0; i < names.Length; i++) items[i] = PyStr.Intern(names[i]);
        return new PyTuple(items);
    }

    /// <summary>The source line of instruction <paramref name="i"/>.</summary>
    private int LineAt(int i) => Code.Lines.Length == 0 ? Code.FirstLine : Code.Lines[Math.Min(i, Code.Lines.Length - 1)];

    internal static void InitType(PyType t)
    {
        // replace(**changes): a copy with some fields changed (types.coroutine sets CO_ITERABLE_COROUTINE this way)
        t.AddMethod("replace", (a, k) =>
        {
            var self = (PyCodeWrapper)a[0];
            int nk = k?.Length ?? 0;
            if (a.Length - nk != 1) throw Ops.TypeError($"replace() takes no positional arguments");
            var c = self.Code.Clone();
            for (int i = 0; i < nk; i++)
            {
                var v = a[a.Length - nk + i];
                switch (k![i].Value)
                {
                    case "co_flags":
                        {
                            int fl = ArgParser.ToCInt(v), old = self.Flags;
                            if (((fl ^ old) & ~CoIterableCoroutine) != 0)
                                throw Ops.ValueError("code.replace(): only the CO_ITERABLE_COROUTINE bit of co_flags can be changed here");
                            c.IsIterableCoroutine = (fl & CoIterableCoroutine) != 0;
                            break;
                        }
                    case "co_name": c.Name = ((v as PyStr) ?? throw Ops.TypeError("replace() argument 'co_name' must be str")).Value; break;
                    case "co_qualname": c.QualName = ((v as PyStr) ?? throw Ops.TypeError("replace() argument 'co_qualname' must be str")).Value; break;
                    case "co_filename": c.Filename = ((v as PyStr) ?? throw Ops.TypeError("replace() argument 'co_filename' must be str")).Value; break;
                    case "co_firstlineno": c.FirstLine = ArgParser.ToCInt(v); break;
                    default: throw Ops.ValueError($"code.replace(): changing {k[i].Value} is not supported");
                }
            }
            return Of(c);
        });
        // co_positions(): (line, end_line, col, end_col) per instruction (2 bytes each, as CPython's offsets), columns
        // in UTF-8 bytes; None where unknown (instructions the compiler made without a source node).
        t.AddMethod("co_positions", (a, k) =>
        {
            var self = (PyCodeWrapper)a[0];
            var c = self.Code;
            int n = c.Code.Length;
            var items = new PyObject[n];
            bool columns = !Vm.ThreadState.Current.Interp.Sys.Options.NoDebugRanges;
            for (int i = 0; i < n; i++)
            {
                var (line, endLine, col, endCol) = c.PositionAt(i);
                if (!columns) col = endCol = -1;
                items[i] = new PyTuple(new PyObject[]
                {
                    PyInt.Get(line), PyInt.Get(endLine),
                    col < 0 ? PyNone.Instance : PyInt.Get(col), endCol < 0 ? PyNone.Instance : PyInt.Get(endCol),
                });
            }
            return new PyTuple(items).Iter();
        });
        // _varname_from_oparg(i): the name of "fast" slot i (co_varnames, then co_cellvars, then co_freevars), as
        // CPython's; dis passes it to its instruction decoder (our co_code is not CPython bytecode: dis shows CACHE).
        t.AddMethod("_varname_from_oparg", (a, k) =>
        {
            var self = (PyCodeWrapper)a[0];
            if (a.Length != 2) throw Ops.TypeError($"_varname_from_oparg() takes exactly one argument ({a.Length - 1} given)");
            long i = Ops.IndexValue(a[1]);
            foreach (var attr in new[] { "co_varnames", "co_cellvars", "co_freevars" })
            {
                var names = (PyTuple)self.GetAttrOrNull(PyStr.Intern(attr))!;
                if (i < names.Items.Length) return i >= 0 ? names.Items[i] : throw Ops.IndexError("tuple index out of range");
                i -= names.Items.Length;
            }
            throw Ops.IndexError("tuple index out of range");
        });
        // co_lines(): (start, end, line) byte ranges of consecutive instructions on one line (PEP 626).
        t.AddMethod("co_lines", (a, k) =>
        {
            var self = (PyCodeWrapper)a[0];
            int n = self.Code.Code.Length;
            var l = new PyList();
            int start = 0;
            for (int i = 1; i <= n; i++)
            {
                if (i < n && self.LineAt(i) == self.LineAt(start)) continue;
                l.Append(new PyTuple(new PyObject[] { PyInt.Get(start * 2), PyInt.Get(i * 2), PyInt.Get(self.LineAt(start)) }));
                start = i;
            }
            return l.Iter();
        });
    }

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        var c = Code;
        switch (name.Value)
        {
            case "co_name": return new PyStr(c.Name);
            case "co_qualname": return new PyStr(c.QualName.Length > 0 ? c.QualName : c.Name);
            case "co_filename": return new PyStr(c.Filename);
            case "co_argcount": return PyInt.Get(c.ArgCount);
            case "co_posonlyargcount": return PyInt.Get(c.PosOnlyCount);
            case "co_kwonlyargcount": return PyInt.Get(c.KwOnlyCount);
            case "co_nlocals": return PyInt.Get(c.NLocals);
            case "co_stacksize": return PyInt.Get(c.StackSize);
            case "co_flags": return PyInt.Get(Flags);
            case "co_varnames": return VarNames();
            case "co_cellvars": return Names(c.CellVars);
            case "co_freevars": return Names(c.FreeVars);
            case "co_names":
                {
                    if (c.Names.Length == 0) return PyTuple.Empty;
                    var items = new PyObject[c.Names.Length];
                    Array.Copy(c.Names, items, items.Length);
                    return new PyTuple(items);
                }
            case "co_consts":
                {
                    var items = new PyObject[c.Consts.Length + 1];
                    items[0] = c.Doc ?? PyNone.Instance; // CPython keeps the docstring (or None) first
                    Array.Copy(c.Consts, 0, items, 1, c.Consts.Length);
                    return new PyTuple(items);
                }
            case "co_firstlineno": return PyInt.Get(c.FirstLine);
            case "co_code": case "_co_code_adaptive": return new PyBytes(new byte[c.Code.Length * 2]);
            case "co_lnotab": case "co_linetable": case "co_exceptiontable": return new PyBytes(Array.Empty<byte>());
        }
        return base.GetAttrOrNull(name);
    }
}

public sealed class PyBuiltinFunction : PyObject
{
    public static PyType TypeObj = null!;
    public readonly string Name;
    public readonly NativeFn Fn;
    /// <summary>True for methods stored in a type dict (bind self on instance access).</summary>
    public readonly bool IsMethod;
    /// <summary>__module__: the module whose function this is (CPython's m_module), "builtins" when not set.</summary>
    public string? ModuleName { get; init; }
    /// <summary>__doc__ (None when not given).</summary>
    public string? Doc { get; init; }
    public PyBuiltinFunction(string name, NativeFn fn, bool isMethod = false) { Name = name; Fn = fn; IsMethod = isMethod; }
    /// <summary><c>__self__</c> of a function that is not a method descriptor: its module, or the type of a
    /// <c>__new__</c> wrapper (copyreg tells <c>object.__new__</c> by it); null reads as None.</summary>
    public PyObject? Self;
    /// <summary>A method descriptor's argument rules (CPython's METH_NOARGS / METH_O / fastcall bounds), checked
    /// before <see cref="Fn"/> runs so a wrong call is CPython's TypeError, never an index past the span; unset
    /// (<see cref="Arity"/> None) the function checks its own arguments. Set once while the type is built.</summary>
    public MethodArity Arity;
    public short MinArgs, MaxArgs;
    public bool AcceptsKeywords;
    /// <summary>Range bounds checked with PyArg_ParseTuple's messages ("count() takes at most 3 arguments (4 given)"),
    /// as CPython's older METH_VARARGS methods (bytes.count, bytes.split).</summary>
    public bool ParseTupleStyle;
    /// <summary>The type whose dict holds this method descriptor (<c>__objclass__</c>; the self check).</summary>
    public PyType? Owner;
    public override PyType Type => TypeObj;
    public override bool IsCallable => true;
    public override string Repr() => IsMethod
        ? (Owner != null ? $"<{(Arity == MethodArity.Wrapper ? "slot wrapper" : "method")} '{Name}' of '{Owner.Name}' objects>" : $"<method '{Name}'>")
        : $"<built-in function {Name}>";
    public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames) => Invoke(args, kwnames);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public PyObject Invoke(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        if (Arity != MethodArity.None) CheckArgs(args, kwnames);
        return Fn(args, kwnames);
    }

    private void CheckArgs(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        if (Arity == MethodArity.Wrapper) { CheckWrapperArgs(args, kwnames); return; }
        string owner = Owner?.Name ?? "object";
        if (args.Length == 0) throw Ops.TypeError($"unbound method {owner}.{Name}() needs an argument");
        if (Owner != null && !args[0].Type.IsSubtypeOf(Owner))
            throw Ops.TypeError($"descriptor '{Name}' for '{owner}' objects doesn't apply to a '{args[0].Type.Name}' object");
        int nkw = kwnames?.Length ?? 0;
        int given = args.Length - 1 - nkw;
        if (nkw > 0 && !AcceptsKeywords)
            throw Ops.TypeError($"{owner}.{Name}() takes no keyword arguments");
        switch (Arity)
        {
            case MethodArity.NoArgs:
                if (given != 0) throw Ops.TypeError($"{owner}.{Name}() takes no arguments ({given} given)");
                break;
            case MethodArity.One:
                if (given != 1) throw Ops.TypeError($"{owner}.{Name}() takes exactly one argument ({given} given)");
                break;
            case MethodArity.Range:
                if ((given < MinArgs || given > MaxArgs) && ParseTupleStyle)
                {
                    int bound = given < MinArgs ? MinArgs : MaxArgs;
                    throw Ops.TypeError($"{Name}() takes {(given < MinArgs ? "at least" : "at most")} {bound} argument{(bound == 1 ? "" : "s")} ({given} given)");
                }
                if (given < MinArgs || given > MaxArgs)
                {
                    string bound = MinArgs == MaxArgs ? "" : given < MinArgs ? "at least " : "at most ";
                    int n = given < MinArgs ? MinArgs : MaxArgs;
                    throw Ops.TypeError($"{Name} expected {bound}{n} argument{(n == 1 ? "" : "s")}, got {given}");
                }
                break;
        }
    }

    /// <summary>CPython's wrapper_descriptor checks (descr.c wrapperdescr_call, typeobject.c check_num_args): a slot
    /// wrapper such as <c>list.__len__</c> takes exactly <see cref="MinArgs"/> positional arguments and no keywords.</summary>
    private void CheckWrapperArgs(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        string owner = Owner!.Name;
        if (args.Length == 0) throw Ops.TypeError($"descriptor '{Name}' of '{owner}' object needs an argument");
        if (!args[0].Type.IsSubtypeOf(Owner))
            throw Ops.TypeError($"descriptor '{Name}' requires a '{owner}' object but received a '{args[0].Type.Name}'");
        if (kwnames != null && kwnames.Length > 0) throw Ops.TypeError($"wrapper {Name}() takes no keyword arguments");
        int given = args.Length - 1;
        if (given != MinArgs)
            // two-argument wrappers unpack with an empty function name: CPython's message starts with a space
            throw Ops.TypeError($"{(MinArgs == 2 ? " " : "")}expected {MinArgs} argument{(MinArgs == 1 ? "" : "s")}, got {given}");
    }

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        if (name.Value == "__name__" || name.Value == "__qualname__") return new PyStr(Name);
        if (name.Value == "__doc__") return Doc != null ? new PyStr(Doc) : PyNone.Instance;
        if (name.Value == "__module__") return new PyStr(ModuleName ?? "builtins");
        if (name.Value == "__self__" && !IsMethod) return Self ?? PyNone.Instance;
        if (name.Value == "__objclass__" && IsMethod && Owner != null) return Owner;
        return base.GetAttrOrNull(name);
    }
}

/// <summary>How a built-in method checks its positional arguments (self not counted).</summary>
public enum MethodArity : byte
{
    /// <summary>The function checks its own arguments.</summary>
    None,
    /// <summary>METH_NOARGS: "X.m() takes no arguments (1 given)".</summary>
    NoArgs,
    /// <summary>METH_O: "X.m() takes exactly one argument (0 given)".</summary>
    One,
    /// <summary>Fastcall with bounds: "m expected at least 1 argument, got 0".</summary>
    Range,
    /// <summary>METH_VARARGS without keywords: only the keyword check ("X.m() takes no keyword arguments").</summary>
    VarArgs,
    /// <summary>A slot wrapper (<c>list.__len__</c>): exactly <see cref="PyBuiltinFunction.MinArgs"/> arguments,
    /// "expected 1 argument, got 0".</summary>
    Wrapper,
}

public sealed class PyBoundMethod : PyObject
{
    public static PyType TypeObj = null!;
    public readonly PyObject Self;
    public readonly PyObject Func;
    public PyBoundMethod(PyObject self, PyObject func) { Self = self; Func = func; }
    public override PyType Type => Func is PyBuiltinFunction ? PyBuiltinFunction.TypeObj : TypeObj;
    public override bool IsCallable => true;
    public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        if (Func is PyFunction f && kwnames == null && args.Length < 8)
        {
            Span<PyObject> buf = new PyObject[args.Length + 1];
            buf[0] = Self;
            args.CopyTo(buf.Slice(1));
            return Interpreter.CallFunction(f, buf, null);
        }
        return Ops.CallPrepend(Func, Self, args, kwnames);
    }
    public override string Repr()
    {
        string n = Func is PyFunction f ? f.QualName : Func is PyBuiltinFunction b ? b.Name : "?";
        if (Func is PyBuiltinFunction) return $"<built-in method {n} of {Self.Type.Name} object at 0x{Ops.Id(Self):x}>";
        return $"<bound method {n} of {Ops.Repr(Self)}>";
    }
    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (op != CmpOp.Eq && op != CmpOp.Ne) return null;
        bool eq = other is PyBoundMethod m && ReferenceEquals(m.Self, Self) && ReferenceEquals(m.Func, Func);
        return PyBool.Of(op == CmpOp.Eq ? eq : !eq);
    }
    // CPython 3.11's meth_hash: the identity of __self__ (equality compares it by identity too), so a method of an
    // unhashable object hashes
    public override long Hash()
    {
        long h = (Ops.Id(Self) >> 4) ^ Ops.Hash(Func);
        return h == -1 ? -2 : h;
    }
    public override PyObject? GetAttrOrNull(PyStr name)
    {
        if (name.Value == "__self__") return Self;
        if (name.Value == "__func__") return Func;
        // m.__call__ calls m (self included), not the underlying function: CPython's tp_call slot wrapper of the method
        if (name.Value == "__call__" && PyBuiltinFunction.TypeObj.Lookup(name) is PyObject call) return new PyBoundMethod(this, call);
        return Ops.GetAttrOrNull(Func, name);
    }
}

public sealed class PyStaticMethod : PyObject
{
    public static PyType TypeObj = null!;
    public readonly PyObject Func;
    public PyStaticMethod(PyObject f) { Func = f; }
    public override PyType Type => TypeObj;
    public override bool IsCallable => true;
    public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames) => Func.Call(args, kwnames);
    public override PyObject? GetAttrOrNull(PyStr name) => name.Value is "__func__" or "__wrapped__" ? Func : Ops.GetAttrOrNull(Func, name);
    public override string Repr() => $"<staticmethod({Ops.Repr(Func)})>";
}

public sealed class PyClassMethod : PyObject
{
    public static PyType TypeObj = null!;
    public readonly PyObject Func;
    public PyClassMethod(PyObject f) { Func = f; }
    public override PyType Type => TypeObj;
    public override PyObject? GetAttrOrNull(PyStr name) => name.Value is "__func__" or "__wrapped__" ? Func : Ops.GetAttrOrNull(Func, name);
    public override string Repr() => $"<classmethod({Ops.Repr(Func)})>";
}

public sealed class PyProperty : PyObject
{
    public static PyType TypeObj = null!;
    public readonly PyObject? Get, Set, Del;
    /// <summary>__doc__, writable on properties (Lib's selectors documents its namedtuple fields this way).</summary>
    public PyObject Doc;
    /// <summary>Set for a __slots__ member (type member_descriptor, CPython's repr): it works as a property whose
    /// accessors read the instance's slot array, so the eval loop's property fast paths serve slots too.</summary>
    private readonly PyType? _memberType;
    private readonly string? _memberRepr;
    public PyProperty(PyObject? get, PyObject? set, PyObject? del, PyObject? doc)
    {
        Get = get; Set = set; Del = del;
        Doc = doc ?? (get != null ? (Ops.GetAttrOrNull(get, PyStr.S___doc__) ?? PyNone.Instance) : PyNone.Instance);
    }
    public PyProperty(PyObject get, PyObject set, PyObject del, PyType memberType, string memberRepr)
    {
        Get = get; Set = set; Del = del; Doc = PyNone.Instance;
        _memberType = memberType; _memberRepr = memberRepr;
    }
    public override PyType Type => _memberType ?? TypeObj;
    public override string Repr() => _memberRepr ?? base.Repr();
    public override PyObject? GetAttrOrNull(PyStr name)
    {
        switch (name.Value)
        {
            case "fget": return Get ?? PyNone.Instance;
            case "fset": return Set ?? PyNone.Instance;
            case "fdel": return Del ?? PyNone.Instance;
            case "__doc__": return Doc;
            case "__isabstractmethod__":
                // abc: a property is abstract when one of its accessors is
                foreach (var f in new[] { Get, Set, Del })
                    if (f != null && Ops.GetAttrOrNull(f, PyStr.Intern("__isabstractmethod__")) is { } v && Ops.IsTrue(v)) return PyBool.True;
                return PyBool.False;
            case "getter": return new PyBuiltinFunction("getter", (a, k) => new PyProperty(a[0], Set, Del, null));
            case "setter": return new PyBuiltinFunction("setter", (a, k) => new PyProperty(Get, a[0], Del, Doc));
            case "deleter": return new PyBuiltinFunction("deleter", (a, k) => new PyProperty(Get, Set, a[0], Doc));
        }
        return base.GetAttrOrNull(name);
    }
    public override void SetAttr(PyStr name, PyObject value)
    {
        if (name.Value == "__doc__" && _memberType == null) { Doc = value; return; }
        base.SetAttr(name, value);
    }
}

public class PyModule : PyObject
{
    public static PyType TypeObj = null!;
    public readonly PyDict ModDict;
    public readonly string Name;
    public PyModule(string name, PyDict? dict = null)
    {
        Name = name;
        ModDict = dict ?? new PyDict();
        if (ModDict.GetOrNull(PyStr.S___name__) == null) ModDict.SetItem(PyStr.S___name__, new PyStr(name));
        if (ModDict.GetOrNull(PyStr.S___doc__) == null) ModDict.SetItem(PyStr.S___doc__, PyNone.Instance);
    }
    public override PyType Type => TypeObj;
    public override PyDict? Dict => ModDict;
    public override string Repr()
    {
        var f = ModDict.GetOrNull("__file__");
        return f != null ? $"<module '{Name}' from '{Ops.Str(f)}'>" : $"<module '{Name}' (built-in)>";
    }
    public override PyObject? GetAttrOrNull(PyStr name)
    {
        var v = ModDict.GetOrNull(name);
        if (v != null) return v;
        if (ReferenceEquals(name, PyStr.S___dict__)) return ModDict;
        // CPython 3.10+'s module __annotations__ getter: an empty dict made on first access and kept
        if (name.Value == "__annotations__") { var ann = new PyDict(); ModDict.SetItem(name, ann); return ann; }
        // the module type's attributes (__class__, __dir__, __reduce_ex__...), as module_getattro's generic lookup
        if ((ReferenceEquals(name, PyStr.S___class__) || TypeObj.Lookup(name) != null) && base.GetAttrOrNull(name) is { } typeAttr) return typeAttr;
        var ga = ModDict.GetOrNull(PyStr.S___getattr__);
        if (ga != null) return Ops.Call1(ga, name);
        return null;
    }
    public override void SetAttr(PyStr name, PyObject value) => ModDict.SetItem(name, value);
    public override void DelAttr(PyStr name)
    {
        if (!ModDict.Remove(name)) throw Ops.AttributeError($"module '{Name}' has no attribute '{name.Value}'");
    }
    public void Add(string name, PyObject value) => ModDict.SetItem(PyStr.Intern(name), value);
    public void AddFn(string name, NativeFn fn) => ModDict.SetItem(PyStr.Intern(name), new PyBuiltinFunction(name, fn) { ModuleName = Name, Self = this });
}
