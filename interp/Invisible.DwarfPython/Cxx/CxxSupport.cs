using System;
using System.Collections.Generic;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Ffi;
using Invisible.Abi.Symbolization;
using Invisible.Python.Runtime;

namespace Invisible.DwarfPython;

/// <summary>
/// C++ over DWARF, as gdb reads it: base-class members through derived objects (<see cref="StructType.TryGetMember"/>
/// walks the bases), derived→base pointer conversion with the base subobject's offset (implicit for arguments, and
/// <c>process.cast</c>), member functions bound to their object (<c>this</c> passed first; virtual ones through the
/// object's vtable, so the derived override runs), static members and methods, namespaces as attributes
/// (<c>lib.shapes.Circle</c>), overloads picked by the arguments' types.
/// </summary>
internal static class CxxSupport
{
    // ------------------------------------------------------------------ conversions

    /// <summary>Offset of the (non-virtual) base <paramref name="want"/> inside <paramref name="have"/>, or -1 when
    /// <paramref name="have"/> does not derive from it (a class is not its own base here).</summary>
    public static long BaseOffset(CType have, CType want)
    {
        if (have.Unqualified is not StructType h || want.Unqualified is not StructType w || h.Module == null) return -1;
        if (SameClass(h, w)) return -1;
        return FindBase(h, w, 0, 0);
    }

    private static long FindBase(StructType h, StructType w, long at, int depth)
    {
        if (depth > 32) return -1;
        IReadOnlyList<BaseClass> bases = h.Cxx.Bases;
        for (int i = 0; i < bases.Count; i++)
        {
            BaseClass b = bases[i];
            if (b.IsVirtual) continue;
            if (SameClass(b.Type, w)) return at + b.Offset;
            long r = FindBase(b.Type, w, at + b.Offset, depth + 1);
            if (r >= 0) return r;
        }
        return -1;
    }

    private static bool SameClass(StructType a, StructType b) =>
        ReferenceEquals(a, b) || a.Tag != null && a.Tag == b.Tag && a.Size == b.Size && QualifiedName(a) == QualifiedName(b);

    /// <summary>The address of a pointer-to-<paramref name="want"/> argument made from an object or pointer of class
    /// type <paramref name="have"/> at <paramref name="address"/> (C++'s implicit derived→base conversion); false when
    /// <paramref name="have"/> is not derived from <paramref name="want"/>.</summary>
    public static bool TryUpcast(nint address, CType have, CType want, out nint converted)
    {
        long off = BaseOffset(have, want);
        converted = off >= 0 && address != 0 ? address + (nint)off : address;
        return off >= 0;
    }

    // ------------------------------------------------------------------ names

    /// <summary><c>shapes::Circle</c> for a class declared in a namespace or class, else its tag.</summary>
    public static string QualifiedName(StructType st) =>
        (st.Module is DwarfModule dm && st.DieOffset != 0 && dm.HasDwarf ? dm.CxxNames.QualifiedNameOf(st.DieOffset) : null) ?? st.Tag ?? "{...}";

    // ------------------------------------------------------------------ attributes of objects and classes

    /// <summary>A method (bound to the object at <paramref name="address"/>) or a static member of class
    /// <paramref name="st"/> or its bases; null when neither.</summary>
    public static PyObject? ObjectAttribute(nint address, StructType st, string name)
    {
        if (st.Module == null || st.Kind == CTypeKind.Union && st.Cxx.IsEmpty) return null;
        if (FindMethods(st, name, 0, 0, out List<CxxMethod>? found, out long thisOffset))
            return new CxxCallable(ClassName(found![0].Owner) + "::" + name, Candidates(found), address + (nint)thisOffset);
        return StaticMember(st, name);
    }

    /// <summary><c>lib.shapes.Shape.count</c>, <c>lib.shapes.Shape.total()</c>: static members and static methods
    /// through the class (non-static methods need an object).</summary>
    public static PyObject? ClassAttribute(StructType st, string name)
    {
        if (st.Module == null) return null;
        if (FindMethods(st, name, 0, 0, out List<CxxMethod>? found, out _))
        {
            var statics = found!.FindAll(m => m.IsStatic);
            if (statics.Count == 0)
                throw Ops.TypeError(ClassName(st) + "::" + name + "() is a member function: call it on an object (obj." + name + "(...))");
            return new CxxCallable(ClassName(statics[0].Owner) + "::" + name, Candidates(statics), 0);
        }
        return StaticMember(st, name);
    }

    private static string ClassName(StructType st) => QualifiedName(st);

    /// <summary>The methods of that name in the most derived class declaring it (C++ name hiding), searching the
    /// bases in order; <paramref name="thisOffset"/> is where that class's subobject starts.</summary>
    private static bool FindMethods(StructType st, string name, long at, int depth, out List<CxxMethod>? found, out long thisOffset)
    {
        found = null;
        thisOffset = 0;
        if (depth > 32) return false;
        IReadOnlyList<CxxMethod> ms = st.Cxx.Methods;
        for (int i = 0; i < ms.Count; i++)
            if (ms[i].Name == name && !ms[i].IsStructor) (found ??= new List<CxxMethod>()).Add(ms[i]);
        if (found != null) { thisOffset = at; return true; }
        IReadOnlyList<BaseClass> bases = st.Cxx.Bases;
        for (int i = 0; i < bases.Count; i++)
            if (!bases[i].IsVirtual && FindMethods(bases[i].Type, name, at + bases[i].Offset, depth + 1, out found, out thisOffset)) return true;
        return false;
    }

    private static PyObject? StaticMember(StructType st, string name)
    {
        if (!FindStatic(st, name, 0, out CxxStaticMember? sm, out StructType? owner)) return null;
        nint a = SymbolAddress(owner!.Module!, sm!.LinkageName);
        if (a == 0) throw Ops.AttributeError(ClassName(owner) + "::" + name + " has no storage in the process (declared, never defined)");
        return NativeValues.Read(a, sm.Type, null, CTypes.IsConst(sm.Type));
    }

    private static bool FindStatic(StructType st, string name, int depth, out CxxStaticMember? sm, out StructType? owner)
    {
        sm = null; owner = null;
        if (depth > 32) return false;
        foreach (CxxStaticMember s in st.Cxx.Statics)
            if (s.Name == name) { sm = s; owner = st; return true; }
        foreach (BaseClass b in st.Cxx.Bases)
            if (FindStatic(b.Type, name, depth + 1, out sm, out owner)) return true;
        return false;
    }

    /// <summary>Static members of a class and its bases with their values, for repr (gdb's <c>static count = 3</c>).</summary>
    public static IReadOnlyList<CxxStaticMember> Statics(StructType st) => st.Module == null ? Array.Empty<CxxStaticMember>() : st.Cxx.Statics;

    public static nint StaticAddress(StructType st, CxxStaticMember sm) => SymbolAddress(st.Module!, sm.LinkageName);

    private static List<CxxCallable.Candidate> Candidates(List<CxxMethod> methods)
    {
        var r = new List<CxxCallable.Candidate>(methods.Count);
        foreach (CxxMethod m in methods)
            r.Add(new CxxCallable.Candidate(m.Declaration, m.LinkageName, m.Owner.Module!, m.IsStatic ? -2 : m.VtableSlot));
        return r;
    }

    /// <summary>Where the symbol of a linkage name is: in the module that declares it (its symbol table, locals too),
    /// else wherever the loader finds it (a member defined in another library: libstdc++'s).</summary>
    public static nint SymbolAddress(DwarfModule module, string? linkage)
    {
        if (linkage == null) return 0;
        if (module.FindSymbol(linkage) is ElfSymbol s && s.Address != 0) return (nint)(s.Address + module.Bias);
        return Dl.Sym(Dl.Default, linkage);
    }

    // ------------------------------------------------------------------ namespaces

    /// <summary>A qualified name below a module: a namespace (<see cref="CxxNamespace"/>), a class or other type, a
    /// variable (read), a function (overload set). Null when the module's C++ units have no such name.</summary>
    public static PyObject? Resolve(DwarfModule dm, string qualified)
    {
        CxxNames names = dm.CxxNames;
        IReadOnlyList<CxxEntity> es = names.Find(qualified);
        if (es.Count == 0) return null;
        CType? type = null, typeDecl = null;
        Variable? variable = null;
        var functions = new List<CxxCallable.Candidate>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        bool isNamespace = false;
        foreach (CxxEntity e in es)
        {
            switch (e.Kind)
            {
                case CxxEntityKind.Namespace: isNamespace = true; break;
                case CxxEntityKind.Type:
                    if (e.IsDeclaration) typeDecl ??= dm.TypeAtOffset(e.Die);
                    else type ??= dm.TypeAtOffset(e.Die);
                    break;
                case CxxEntityKind.Variable:
                    variable ??= dm.VariableAtOffset(e.Die);
                    break;
                case CxxEntityKind.Function:
                {
                    Function? f = dm.FunctionAtOffset(e.Die);
                    if (f == null) break;
                    string key = f.LinkageName ?? f.Name ?? "";
                    if (seen.Add(key)) functions.Add(new CxxCallable.Candidate(f, f.LinkageName, dm, -2));
                    break;
                }
            }
        }
        if (isNamespace) return new CxxNamespace(dm, qualified);
        if ((type ?? typeDecl) is CType t) return new NativeType(t, -1);
        if (functions.Count > 0) return new CxxCallable(qualified, functions, 0);
        if (variable != null)
        {
            nint a = SymbolAddress(dm, LinkageNameOf(dm, variable) ?? qualified);
            if (a == 0 && variable.Location.StaticAddress is ulong sa) a = (nint)(sa + dm.Bias);
            if (a == 0) throw Ops.AttributeError(qualified + " has no storage in the process");
            return NativeValues.Read(a, variable.Type, null, CTypes.IsConst(variable.Type));
        }
        return null;
    }

    /// <summary>The linkage name of a variable declaration (namespace-scope variables: <c>_ZN6shapes6circleE</c>).</summary>
    private static string? LinkageNameOf(DwarfModule dm, Variable v) => dm.LinkageNameAt(v.DieOffset);

    /// <summary>The text a demangled linkage name shows (<c>shapes::Shape::scaled(int) const</c>).</summary>
    public static string Demangled(string? linkage, string fallback) => linkage != null ? Demangler.Demangle(linkage) : fallback;
}

/// <summary><c>lib.shapes</c>: a C++ namespace; its attributes are the names declared in it.</summary>
public sealed class CxxNamespace : PyObject
{
    private static PyType? _type;
    internal static PyType TypeObj => _type ??= new PyType("native_namespace", PyType.ObjectType, null) { ModuleName = "process" };
    private readonly DwarfModule _module;
    private readonly string _qualified;
    private readonly Dictionary<string, PyObject> _cache = new(StringComparer.Ordinal);

    internal CxxNamespace(DwarfModule module, string qualified) { _module = module; _qualified = qualified; }
    public override PyType Type => TypeObj;
    public override string Repr() => "<namespace " + _qualified + ">";

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        string n = name.Value;
        if (n.StartsWith("__", StringComparison.Ordinal)) return Ops.GenericGetAttr(this, name);
        lock (_cache) if (_cache.TryGetValue(n, out PyObject? hit)) return hit;
        PyObject? r = CxxSupport.Resolve(_module, _qualified + "::" + n);
        if (r == null) throw Ops.AttributeError("namespace " + _qualified + " has no member '" + n + "'");
        if (r is CxxNamespace or NativeType or CxxCallable) lock (_cache) _cache[n] = r;
        return r;
    }

    public override void SetAttr(PyStr name, PyObject value)
    {
        // a namespace-scope variable is written in place, as a module's global is
        IReadOnlyList<CxxEntity> es = _module.CxxNames.Find(_qualified + "::" + name.Value);
        foreach (CxxEntity e in es)
        {
            if (e.Kind != CxxEntityKind.Variable || _module.VariableAtOffset(e.Die) is not Variable v) continue;
            nint a = CxxSupport.SymbolAddress(_module, _module.LinkageNameAt(e.Die));
            if (a == 0) break;
            if (CTypes.IsConst(v.Type)) throw Ops.TypeError("cannot assign to '" + _qualified + "::" + name.Value + "': it is const");
            NativeValues.Write(a, v.Type, value, null, _qualified + "::" + name.Value);
            return;
        }
        throw Ops.AttributeError("namespace " + _qualified + " has no variable '" + name.Value + "'");
    }
}
