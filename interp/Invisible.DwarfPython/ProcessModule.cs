using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Symbolization;
using Invisible.Python.Runtime;

namespace Invisible.DwarfPython;

/// <summary><c>import process</c>: the running process described by its own debug info.</summary>
internal static unsafe partial class ProcessModule
{
    [LibraryImport("libc.so.6", EntryPoint = "backtrace")]
    private static partial int backtrace(nint* buffer, int size);

    public static PyModule Create()
    {
        var m = new PyModule("process");
        m.Add("FaultError", Mem.FaultErrorType);
        m.AddFn("typeof", (a, k) => TypeOf(One(a, "typeof")));
        m.AddFn("address", (a, k) => PyInt.Get((long)AddressOf(One(a, "address"))));
        m.AddFn("sizeof", (a, k) => SizeOf(One(a, "sizeof")));
        m.AddFn("cast", (a, k) => { if (a.Length != 2) throw Ops.TypeError("cast(value, type) takes 2 arguments"); return Cast(a[0], a[1]); });
        m.AddFn("force", (a, k) => Force(One(a, "force")));
        m.AddFn("pointer", (a, k) =>
        {
            if (a.Length != 2 || a[0] is not PyInt || a[1] is not PyStr ps) throw Ops.TypeError("pointer(address, \"T *\") takes an int address and a pointer type name");
            if (!ps.Value.TrimEnd().EndsWith('*')) throw Ops.TypeError("pointer(): '" + ps.Value + "' is not a pointer type (write \"" + ps.Value + " *\")");
            return Cast(a[0], a[1]);
        });
        m.AddFn("cell", (a, k) => Cell(a));
        m.AddFn("load", (a, k) =>
        {
            int npos = a.Length - (k?.Length ?? 0);
            string? header = null, name = npos > 1 && a[1] is PyStr n ? n.Value : null;
            for (int i = 0; k != null && i < k.Length; i++)
            {
                PyObject v = a[npos + i];
                if (k[i].Value == "header") header = v is PyStr hs ? hs.Value : throw Ops.TypeError("load(): header must be a str (\"zlib.h\", or several: \"a.h,b.h\")");
                else if (k[i].Value == "name") name = v is PyStr ns ? ns.Value : throw Ops.TypeError("load(): name must be a str");
                else throw Ops.TypeError("load() got an unexpected keyword argument '" + k[i].Value + "'");
            }
            if (npos < 1 || a[0] is not PyStr p) throw Ops.TypeError("load(path[, name][, header=]) needs a path");
            return NativeLibraries.Load(p.Value, name, header);
        });
        m.AddFn("cfunc", (a, k) =>
        {
            if (a.Length != 2 || a[1] is not PyStr sig) throw Ops.TypeError("cfunc(address, signature) takes an address and a signature string");
            nint addr = AddressOf(a[0]);
            return NativeFunction.WithSignature(addr, "0x" + ((ulong)addr).ToString("x"), sig.Value);
        });
        m.AddFn("string", (a, k) =>
        {
            PyObject s = One(a, "string");
            byte[] b = s is PyStr ps ? System.Text.Encoding.UTF8.GetBytes(ps.Value) : s is PyBytes pb ? pb.Span.ToArray() : throw Ops.TypeError("string() takes str or bytes");
            CType ch = NativeLibraries.FindAnyType("char") ?? throw Ops.RuntimeError("no DWARF type 'char' available");
            var t = new NativeType(ch, b.Length + 1);
            var o = (NativeObject)t.Call(ReadOnlySpan<PyObject>.Empty, null);
            Mem.Write(o.Address, b, true);
            return o;
        });
        m.AddFn("backtrace", (a, k) => Backtrace());
        m.AddFn("bt", (a, k) => BtAll());
        m.AddFn("__getattr__", (a, k) =>
        {
            string n = Ops.Str(a[0]);
            switch (n)
            {
                case "main": { var mm = MainModule(); m.Add("main", mm); return mm; }
                case "modules": return new PyList(new List<PyObject>(NativeLibraries.Loaded()).ToArray());
                case "heap": { HeapObject h = new(); _ = HeapView.Available ? h : throw Ops.RuntimeError("process.heap: run under invisible (libinvisible.so not preloaded)"); return h; }
                case "threads": return Threads();
                case "pid": return PyInt.Get(Environment.ProcessId);
            }
            throw Ops.AttributeError("module 'process' has no attribute '" + n + "'");
        });
        return m;
    }

    private static PyObject One(ReadOnlySpan<PyObject> a, string fn)
    {
        if (a.Length != 1) throw Ops.TypeError(fn + "() takes exactly one argument (" + a.Length + " given)");
        return a[0];
    }

    private static NativeModule MainModule()
    {
        string exe = new FileInfo("/proc/self/exe").ResolveLinkTarget(true)?.FullName ?? "/proc/self/exe";
        return NativeLibraries.ForPath("__main__", exe, Dl.Open(null, Dl.RTLD_NOW));
    }

    internal static nint AddressOf(PyObject x) => x switch
    {
        NativeObject o => o.Address,
        NativePointer p => p.Value,
        NativeFunction f => f.Address,
        PyInt i => (nint)i.V,
        PyNone => 0,
        _ => throw Ops.TypeError("address() of a " + x.Type.Name + ": not a native object"),
    };

    private static PyObject TypeOf(PyObject x) => x switch
    {
        NativeObject o => o.IsArray && o.CType.Unqualified is not ArrayType ? new NativeType(o.ElementType, o.Count) : new NativeType(o.CType, -1),
        NativePointer p => PyStr.Of(CTypes.PointerTo(p.Target)),
        NativeFunction f => PyStr.Of(f.FType != null ? f.FType.ToCString() : "function"),
        _ => x.Type,
    };

    private static PyObject SizeOf(PyObject x) => x switch
    {
        NativeType t => PyInt.Get(t.ByteSize),
        NativeObject o => PyInt.Get(o.ByteSize),
        NativePointer => PyInt.Get(8),
        _ => throw Ops.TypeError("sizeof() of a " + x.Type.Name),
    };

    private static PyObject Force(PyObject x) => x switch
    {
        NativeObject o => o.Forced(),
        NativePointer p => new NativePointer(p.Value, p.Target, false),
        _ => x,
    };

    /// <summary>A C type name with any number of <c>*</c> (<c>struct addrinfo **</c>, <c>const char *</c>): the DWARF
    /// type of the base name, wrapped in pointers that no DIE needs to describe.</summary>
    internal static CType ParseTypeName(PyObject? near, string text, string who)
    {
        string n = text.Trim();
        int stars = 0;
        while (n.EndsWith('*')) { stars++; n = n.Substring(0, n.Length - 1).TrimEnd(); if (n.EndsWith("const", StringComparison.Ordinal) && n.Length > 5 && !char.IsLetterOrDigit(n[^6]) && n[^6] != '_') n = n.Substring(0, n.Length - 5).TrimEnd(); }
        if (n.StartsWith("const ", StringComparison.Ordinal)) n = n.Substring(6).Trim();
        CType? found = n == "void" ? VoidType.Instance : FindType(near, n);
        CType t = found ?? throw Ops.TypeError(who + ": unknown type '" + n + "'");
        for (int i = 0; i < stars; i++) t = PointerType.To(t);
        return t;
    }

    /// <summary><c>process.cell("struct addrinfo *")</c>: one zeroed object of that type on the C heap, for an
    /// out-parameter of any depth: pass the cell where C wants <c>T **</c>, read <c>cell.value</c> after the call.
    /// An optional second argument is the initial value.</summary>
    private static PyObject Cell(ReadOnlySpan<PyObject> a)
    {
        if (a.Length is < 1 or > 2) throw Ops.TypeError("cell(type[, value]) takes a type name or native type, and an optional initial value");
        CType t = a[0] switch
        {
            PyStr s => ParseTypeName(null, s.Value, "cell"),
            NativeType nt when nt.Count < 0 => nt.CType,
            _ => throw Ops.TypeError("cell(): the type must be a C type name (\"struct addrinfo *\") or a native type"),
        };
        if (t.Size <= 0) throw Ops.TypeError("cell(): cannot create an object of incomplete type " + t.ToCString());
        var nt2 = new NativeType(t, -1);
        return a.Length == 2 ? nt2.Call(a.Slice(1), null) : nt2.Call(ReadOnlySpan<PyObject>.Empty, null);
    }

    /// <summary><c>cast(x, "struct node *")</c> (any number of stars) → pointer; <c>cast(x, c.struct.node)</c> or
    /// <c>"int"</c> → object in place.</summary>
    private static PyObject Cast(PyObject x, PyObject type)
    {
        nint a = AddressOf(x);
        CType target;
        bool pointer = false, isConst = false;
        long count = -1;
        if (type is NativeType nt) { target = nt.CType; count = nt.Count; }
        else if (type is PyStr s)
        {
            string n = s.Value.Trim();
            if (n.EndsWith('*')) { pointer = true; n = n.Substring(0, n.Length - 1).Trim(); }
            if (n.StartsWith("const ", StringComparison.Ordinal) && !n.EndsWith('*')) { isConst = true; n = n.Substring(6).Trim(); }
            target = ParseTypeName(x, n, "cast");
        }
        else throw Ops.TypeError("cast: type must be a native type or a C type name");
        isConst |= CTypes.IsConst(target);
        // C++'s static_cast to a base class: the base subobject's address (gdb's `print (Base *) derived`)
        CType? from = x switch { NativeObject xo when xo.IsStruct => xo.CType, NativePointer xp => xp.Target, _ => null };
        if (from != null && CxxSupport.TryUpcast(a, from, target, out nint based)) a = based;
        if (pointer) return a == 0 ? PyNone.Instance : new NativePointer(a, target, isConst);
        return new NativeObject(a, target, count, x is NativeObject o ? o.Owner : null, isConst);
    }

    private static CType? FindType(PyObject? near, string name)
    {
        CType? origin = near switch { NativeObject o => o.CType, NativePointer p => p.Target, _ => null };
        if (origin?.Module is DwarfModule dm && dm.FindType(name) is CType t) return t;
        if (origin?.Module is DwarfModule cm && name.Contains("::", StringComparison.Ordinal) && cm.HasCxx && cm.FindQualifiedType(name) is CType q) return q;
        return NativeLibraries.FindAnyType(name);
    }

    // ------------------------------------------------------------------ threads

    /// <summary><c>process.threads</c>: every thread with its frames and their locals (ThreadsView); without
    /// libinvisible.so only the calling thread has frames.</summary>
    private static PyObject Threads()
    {
        PyList? all = ThreadsView.Capture();
        if (all != null) return all;
        nint* pcs = stackalloc nint[128];
        int n = backtrace(pcs, 128);
        var list = new ulong[Math.Max(0, n - 1)];
        for (int i = 1; i < n; i++) list[i - 1] = (ulong)pcs[i];
        return ThreadsView.CallingThreadOnly(Gettid(), list);
    }

    /// <summary><c>process.bt()</c>: gdb's <c>thread apply all bt full</c> as text.</summary>
    private static PyObject BtAll()
    {
        PyObject threads = Threads();
        var sb = new System.Text.StringBuilder();
        foreach (PyObject t in Ops.ToArray(threads))
            if (t is NativeThread nt) sb.Append(ThreadsView.Bt(nt)).Append('\n');
        return PyStr.Of(sb.ToString());
    }

    [LibraryImport("libc.so.6", EntryPoint = "gettid")]
    private static partial int Gettid();

    private static ProcessSymbolizer? _symbolizer;

    /// <summary>The calling thread's native stack: function, file, line and module of each frame.</summary>
    private static PyObject Backtrace()
    {
        nint* pcs = stackalloc nint[128];
        int n = backtrace(pcs, 128);
        _symbolizer ??= ProcessSymbolizer.ForCurrentProcess();
        var frames = new List<PyObject>();
        for (int i = 1; i < n; i++)
        {
            var d = new PyDict();
            d.SetItem("pc", PyInt.Get((long)pcs[i]));
            IReadOnlyList<SourceFrame> fs = _symbolizer.Symbolize((ulong)pcs[i], isReturnAddress: true);
            SourceFrame? f = fs.Count > 0 ? fs[0] : null;
            d.SetItem("function", f?.Function is string fn ? PyStr.Of(fn) : PyNone.Instance);
            d.SetItem("file", f?.File is string file ? PyStr.Of(file) : PyNone.Instance);
            d.SetItem("line", PyInt.Get(f?.Line ?? 0));
            d.SetItem("module", PyStr.Of(f?.Module ?? ""));
            frames.Add(d);
        }
        return new PyList(frames.ToArray());
    }
}

/// <summary>The <c>process.heap</c> object.</summary>
internal sealed class HeapObject : PyObject
{
    private static PyType? _type;
    internal static PyType TypeObj => _type ??= new PyType("heap", PyType.ObjectType, null) { ModuleName = "process" };
    public override PyType Type => TypeObj;
    public override string Repr() => "<process.heap>";

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        switch (name.Value)
        {
            case "census": return new PyBuiltinFunction("census", (a, k) => HeapView.Census());
            case "objects":
                return new PyBuiltinFunction("objects", (a, k) =>
                {
                    if (a.Length != 1) throw Ops.TypeError("objects(type) takes one type name or native type");
                    string t = a[0] is NativeType nt ? nt.Text : Ops.Str(a[0]);
                    return HeapView.Objects(t).Iter();
                });
            case "block":
                return new PyBuiltinFunction("block", (a, k) =>
                {
                    if (a.Length != 1) throw Ops.TypeError("block(x) takes one address or native object");
                    return HeapView.Block(ProcessModule.AddressOf(a[0]));
                });
            case "totals": return new PyBuiltinFunction("totals", (a, k) => HeapView.Totals());
        }
        return Ops.GenericGetAttr(this, name);
    }
}
