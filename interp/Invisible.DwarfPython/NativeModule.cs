using System;
using System.Collections.Generic;
using System.IO;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Ffi;
using Invisible.Python.Modules;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.DwarfPython;

/// <summary>Finds the library behind <c>import NAME</c> and the process image that describes it.</summary>
internal static class NativeLibraries
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, NativeModule> ByPath = new(StringComparer.Ordinal);

    /// <summary>The process's image, shared with the census (one copy of each module's DWARF).</summary>
    public static ProcessImage Image => ProcessImage.Shared;

    /// <summary>The module provider: <c>c</c> → libc, <c>m</c> → libm, <c>NAME</c> → a loaded or loadable
    /// <c>libNAME.so*</c> (loaded objects, the loader's search path, then sys.path directories).</summary>
    public static PyModule? TryImport(InterpreterState interp, string name)
    {
        if (name.Length == 0 || name.Contains('.') || BuiltinModules.Contains(name)) return null;
        string? path = Resolve(interp, name, out nint handle);
        if (path == null) return null;
        return ForPath(name, path, handle, asked: true);
    }

    /// <summary>The module object of a loaded library. <paramref name="asked"/>: the user named it (import,
    /// process.load); only those may have DWARF made from their header for lookups across libraries (a type name
    /// in a signature string), so listing <c>process.modules</c> never runs gcc for every library in the process.</summary>
    public static NativeModule ForPath(string name, string path, nint handle, bool asked = false)
    {
        lock (Gate)
        {
            if (!ByPath.TryGetValue(path, out NativeModule? m))
            {
                m = new NativeModule(name, path, handle);
                ByPath[path] = m;
            }
            if (asked) m.Asked = true;
            return m;
        }
    }

    /// <summary><c>process.load(path)</c>: dlopen a library by path.</summary>
    public static NativeModule Load(string path, string? name, string? header = null)
    {
        nint h = Dl.Open(path, Dl.RTLD_NOW | Dl.RTLD_GLOBAL);
        if (h == 0) throw Ops.ImportError("cannot load " + path + ": " + Dl.Error());
        string real = Dl.PathOf(h) ?? path;
        if (name == null)
        {
            name = Path.GetFileName(real);
            if (name.StartsWith("lib", StringComparison.Ordinal)) name = name.Substring(3);
            int so = name.IndexOf(".so", StringComparison.Ordinal);
            if (so > 0) name = name.Substring(0, so);
        }
        NativeModule m = ForPath(name, real, h, asked: true);
        if (header != null) m.UseHeader(header);
        return m;
    }

    private static string? Resolve(InterpreterState interp, string name, out nint handle)
    {
        handle = 0;
        string soname = name switch { "c" => "libc.so.6", "m" => "libm.so.6", "dl" => "libc.so.6", "pthread" => "libc.so.6", _ => "lib" + name + ".so" };
        // already loaded?
        handle = Dl.Open(soname, Dl.RTLD_NOW | Dl.RTLD_NOLOAD);
        if (handle == 0) handle = FindLoaded("lib" + name + ".so");
        if (handle == 0) handle = Dl.Open(soname, Dl.RTLD_NOW | Dl.RTLD_GLOBAL);
        if (handle == 0)
        {
            foreach (string dir in SearchDirs(interp))
            {
                string? f = FindIn(dir, "lib" + name + ".so");
                if (f == null) continue;
                handle = Dl.Open(f, Dl.RTLD_NOW | Dl.RTLD_GLOBAL);
                if (handle != 0) break;
            }
        }
        if (handle == 0)
        {
            // A file that would fault the loader is an error, not a missing module.
            if (Dl.TakeRefusal() is string refused) throw Ops.ImportError("cannot load " + soname + ": " + refused);
            Dl.Error();
            return null;
        }
        return Dl.PathOf(handle);
    }

    private static nint FindLoaded(string prefix)
    {
        foreach (DwarfModule m in Image.Modules)
        {
            string f = Path.GetFileName(m.Path);
            if (f.StartsWith(prefix, StringComparison.Ordinal)) return Dl.Open(m.Path, Dl.RTLD_NOW | Dl.RTLD_NOLOAD);
        }
        return 0;
    }

    private static IEnumerable<string> SearchDirs(InterpreterState interp)
    {
        if (interp.Sys.Module.ModDict.GetOrNull("path") is PyObject sp)
            foreach (PyObject x in Ops.ToArray(sp)) yield return Ops.Str(x) is { Length: > 0 } s ? s : ".";
        string? llp = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
        if (llp != null) foreach (string d in llp.Split(':')) if (d.Length > 0) yield return d;
        yield return "/lib/x86_64-linux-gnu";
        yield return "/usr/lib/x86_64-linux-gnu";
        yield return "/usr/local/lib";
        yield return "/usr/lib";
        yield return "/lib64";
    }

    private static string? FindIn(string dir, string prefix)
    {
        try
        {
            if (!Directory.Exists(dir)) return null;
            string exact = Path.Combine(dir, prefix);
            if (File.Exists(exact)) return exact;
            foreach (string f in Directory.EnumerateFiles(dir, prefix + ".*")) return f;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>A type by C name for signature strings: libc's DWARF first, then imported libraries, then any module.</summary>
    public static CType? FindAnyType(string name)
    {
        NativeModule[] mods;
        lock (Gate) mods = new List<NativeModule>(ByPath.Values).ToArray();
        foreach (NativeModule m in mods)
            if ((m.Asked ? m.TypeSource : m.TypeSourceMade) is DwarfModule d && (name.Contains("::", StringComparison.Ordinal) && d.HasCxx ? d.FindQualifiedType(name) : d.FindType(name)) is CType t) return t;
        DwarfModule? libc = Image.FindModule("libc.so.6");
        if (libc is { HasDwarf: true } && libc.FindType(name) is CType lt) return lt;
        return null;
    }

    public static NativePointer VoidPointer(nint a) => new(a, VoidType.Instance, false);

    public static IReadOnlyList<NativeModule> Loaded()
    {
        var r = new List<NativeModule>();
        foreach (DwarfModule m in Image.Modules)
        {
            nint h = Dl.Open(m.Path, Dl.RTLD_NOW | Dl.RTLD_NOLOAD);
            string n = Path.GetFileName(m.Path);
            r.Add(ForPath(n, m.Path, h));
        }
        return r;
    }
}

/// <summary>A loaded ELF object as a Python module (paper Fig. 2, <c>import c</c>). Attributes are looked up on
/// demand in its DWARF: functions (callable), global variables (read and written in place), enumerators,
/// typedef and base type names; <c>mod.struct.NAME</c>, <c>mod.union.NAME</c>, <c>mod.enum.NAME</c> are the tags.</summary>
public sealed class NativeModule : PyModule
{
    public readonly string Path;
    internal readonly nint Handle;
    private DwarfModule? _dwarf;
    private bool _dwarfLooked;
    private Dictionary<string, long>? _enumerators;
    private readonly Dictionary<string, (nint, CType)> _globals = new(StringComparer.Ordinal);

    internal NativeModule(string name, string path, nint handle) : base(name)
    {
        Path = path;
        Handle = handle;
        ModDict.SetItem("__file__", PyStr.Of(path));
        ModDict.SetItem("struct", new TagNamespace(this, "struct"));
        ModDict.SetItem("union", new TagNamespace(this, "union"));
        ModDict.SetItem("enum", new TagNamespace(this, "enum"));
    }

    internal DwarfModule? Dwarf
    {
        get
        {
            if (!_dwarfLooked)
            {
                _dwarfLooked = true;
                _dwarf = NativeLibraries.Image.FindModule(Path);
                if (_dwarf == null)
                {
                    string real = ResolveLink(Path);
                    if (real != Path) _dwarf = NativeLibraries.Image.FindModule(real);
                }
            }
            return _dwarf;
        }
    }

    private static string ResolveLink(string p)
    {
        try { return new FileInfo(p).ResolveLinkTarget(true)?.FullName ?? p; }
        catch (IOException) { return p; }
    }

    /// <summary>The library has DWARF: its signature table says so without opening libdw, else libdw does.</summary>
    private bool HasDwarf => Dwarf is { } d && (d.Signatures != null || d.HasDwarf);

    /// <summary>The signature table a previous process kept for this library (names answered without libdw).</summary>
    private SignatureTable? Table => Dwarf?.Signatures;

    /// <summary>The table to add a name resolved through libdw to (null: this library keeps none).</summary>
    private SignatureTable? TableToFill => Dwarf is { } d && d.HasDwarf ? d.SignaturesToFill() : null;

    // ------------------------------------------------------------------ DWARF made from the public header (step c)

    private string? _headerSpec;         // the user's header(s) (process.load(..., header=)), else the default rule
    private bool _headerLooked;
    private DwarfModule? _headerDwarf;
    private string? _headerNote;          // why there is no header DWARF, or which header made it

    /// <summary><c>process.load(path, header="zlib.h")</c>: type this library from that header (comma-separated
    /// for several); replaces whatever header DWARF was made before.</summary>
    internal void UseHeader(string spec)
    {
        lock (_globals)
        {
            if (_headerSpec == spec && _headerLooked) return;
            _headerSpec = spec;
            _headerLooked = false;
            _headerDwarf = null;
            _enumerators = null;
        }
        foreach (PyObject k in ModDict.KeyList())
            if (k is PyStr ks && ModDict.GetOrNull(ks) is NativeFunction) ModDict.Remove(ks);
    }

    /// <summary>Where this library's types come from: its own DWARF (in the file, or separate by build-id/debuglink),
    /// else DWARF made from its public header. Null when there is neither.</summary>
    internal DwarfModule? TypeSource => HasDwarf ? Dwarf : HeaderDwarfModule;

    /// <summary>The user named this library (import, process.load), or used one of its attributes.</summary>
    internal bool Asked;

    /// <summary><see cref="TypeSource"/> without making header DWARF: the library's own, or header DWARF already made.</summary>
    internal DwarfModule? TypeSourceMade
    {
        get
        {
            if (HasDwarf) return Dwarf;
            lock (_globals) return _headerLooked ? _headerDwarf : null;
        }
    }

    private bool FromHeader => !HasDwarf && HeaderDwarfModule != null;

    /// <summary>Why a function of this library has no signature (for the error of a call), or null.</summary>
    internal string? HeaderNote { get { _ = HeaderDwarfModule; return _headerNote; } }

    private DwarfModule? HeaderDwarfModule
    {
        get
        {
            lock (_globals)
            {
                if (_headerLooked) return _headerDwarf;
                _headerLooked = true;
                if (HasDwarf || Dwarf == null) return null;
                string[]? headers = HeaderDwarf.HeadersFor(Path, _headerSpec, out string? why);
                if (headers == null)
                {
                    _headerNote = why ?? "no DWARF and no public header found (give one: process.load(path, header=\"NAME.h\") or INVISIBLE_HEADERS=NAME=hdr)";
                    return null;
                }
                string? obj = HeaderDwarf.ObjectFor(headers, System.IO.Path.GetFileName(Path), Dwarf.BuildId, Dwarf.ExportedNames(), out string? error, out _);
                if (obj == null)
                {
                    _headerNote = "no DWARF, and types from " + string.Join(", ", headers) + " failed: " + error;
                    Console.Error.WriteLine("invisible: " + System.IO.Path.GetFileName(Path) + ": " + _headerNote);
                    return null;
                }
                if (!DwarfModule.TryOpen(obj, out DwarfModule? dm, out string? openError) || dm is not { HasDwarf: true })
                {
                    _headerNote = "no DWARF, and the object made from " + string.Join(", ", headers) + " is unreadable: " + (openError ?? dm?.Error);
                    dm?.Dispose();
                    return null;
                }
                _headerNote = "typed from " + string.Join(", ", headers);
                return _headerDwarf = dm;
            }
        }
    }

    /// <summary>A function typed by the header's declaration, at the address the loader resolves for its name.</summary>
    private NativeFunction? FromHeaderDeclaration(string n)
    {
        nint addr = SymbolAddress(n);
        if (addr == 0) return null;
        Function? fn = HeaderDwarfModule!.FindFunction(n);
        if (fn == null || !fn.Type.IsPrototyped) return null;
        FfiSignature? sig;
        try { sig = FfiSignature.For(fn); } catch (FfiException) { sig = null; }
        return new NativeFunction(addr, n, sig, fn.Type);
    }

    /// <summary><c>lib.errno</c>: errno as this thread's last native call left it (ctypes' <c>get_errno()</c>); a
    /// store sets errno for the next call (<c>set_errno</c>). Not libc's own errno, which any code of ours (a memory
    /// read, an allocation) may change between the call and the read.</summary>
    private const string ErrnoName = "errno";

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        if (name.Value == ErrnoName) return PyInt.Get(CallErrno.Value);
        PyObject? v = ModDict.GetOrNull(name);
        if (v != null) return v;
        string n = name.Value;
        if (n.StartsWith("__", StringComparison.Ordinal) && n.EndsWith("__", StringComparison.Ordinal)) return base.GetAttrOrNull(name);
        PyObject? r = Lookup(n, out bool cache);
        if (r is NativeFunction { Signature: null } unsigned && !HasDwarf) unsigned.Note = HeaderNote;
        if (r != null && cache) ModDict.SetItem(name, r);
        return r;
    }

    public override void SetAttr(PyStr name, PyObject value)
    {
        if (name.Value == ErrnoName)
        {
            CallErrno.Value = value is PyInt ? (int)Ops.IndexValue(value) : throw Ops.TypeError("errno must be an int, not " + value.Type.Name);
            return;
        }
        if (TryGlobal(name.Value, out nint a, out CType? t))
        {
            if (CTypes.IsConst(t!)) throw Ops.TypeError("cannot assign to '" + name.Value + "': it is const");
            NativeValues.Write(a, t!, value, null, Name + "." + name.Value);
            return;
        }
        base.SetAttr(name, value);
    }

    private PyObject? Lookup(string n, out bool cache)
    {
        cache = true;
        if (Table is SignatureTable table && FromTable(table, n, ref cache) is PyObject known) return known;
        PyObject? f = FindFunction(n);
        if (f != null) return f;
        if (TryGlobal(n, out nint a, out CType? t))
        {
            cache = false;
            return NativeValues.Read(a, t!, null, CTypes.IsConst(t!));
        }
        if (TypeSource is DwarfModule types)
        {
            CType? ty = types.FindType(n);
            if (ty != null && ty.Kind is CTypeKind.Typedef or CTypeKind.Base)
            {
                if (types == Dwarf) TableToFill?.AddType(n, ty);
                return new NativeType(ty, -1);
            }
            if (Enumerators().TryGetValue(n, out long ev))
            {
                if (types == Dwarf) TableToFill?.AddEnumerator(n, ev);
                return PyInt.Get(ev);
            }
        }
        // C++: a namespace or a class by name (lib.shapes, lib.shapes.Circle)
        if (TypeSource is DwarfModule cxx && cxx.HasCxx && CxxSupport.Resolve(cxx, n) is PyObject scoped) return scoped;
        // ELF-only data symbol: an untyped pointer
        nint sym = Dl.Sym(Handle, n);
        if (sym != 0) { cache = false; return NativeLibraries.VoidPointer(sym); }
        return null;
    }

    private nint SymbolAddress(string n)
    {
        // an interposer (libinvisible.so's malloc family) wins, as it does for C callers
        nint d = Dl.Sym(Dl.Default, n);
        if (d != 0 && Dl.Addr(d, out string? file, out _, out _) && file != null && file.Contains("libinvisible", StringComparison.Ordinal)) return d;
        return Handle != 0 ? Dl.Sym(Handle, n) : 0;
    }

    /// <summary>A name the signature table knows, in <see cref="Lookup"/>'s order (the table holds what that order
    /// resolved the name to: a function, else a global, else a type name, else an enumerator); null when the table
    /// lacks it or its entry point moved (then libdw answers).</summary>
    private PyObject? FromTable(SignatureTable table, string n, ref bool cache)
    {
        if (table.TryGetFunction(n, out TableFunction tf)) return FunctionFromTable(n, tf);
        if (table.Global(n) is CType gt)
        {
            nint a = SymbolAddress(n);
            if (a == 0) return null;
            lock (_globals) _globals[n] = (a, gt);
            cache = false;
            return NativeValues.Read(a, gt, null, CTypes.IsConst(gt));
        }
        if (table.Type(n) is CType ty) return new NativeType(ty, -1);
        if (table.TryGetEnumerator(n, out long ev)) return PyInt.Get(ev);
        return null;
    }

    private NativeFunction? FunctionFromTable(string n, TableFunction tf)
    {
        nint addr = SymbolAddress(n);
        if (addr == 0 || (long)((ulong)addr - Dwarf!.Start) != tf.Offset) return null;
        FfiSignature? sig = null;
        if (tf.Type != null)
        {
            try { sig = FfiSignature.For(tf.Type, tf.ParameterNames, tf.SignatureName); } catch (FfiException) { sig = null; }
        }
        return new NativeFunction(addr, n, sig, tf.Type);
    }

    /// <summary>Keeps a function resolved through libdw in the signature table, when the next process can find it
    /// the same way (the loader resolves the name to the same entry point).</summary>
    private void Remember(string n, NativeFunction f)
    {
        if (f.Address == 0 || SymbolAddress(n) != f.Address || TableToFill is not SignatureTable table) return;
        var names = new string?[f.Signature?.FixedCount ?? 0];
        for (int i = 0; i < names.Length; i++) names[i] = f.Signature!.ParameterName(i);
        table.AddFunction(n, new TableFunction((long)((ulong)f.Address - Dwarf!.Start), f.FType, f.Signature?.Name, names));
    }

    internal PyObject? FindFunction(string n)
    {
        if (HasDwarf && Table is SignatureTable table && table.TryGetFunction(n, out TableFunction tf) && FunctionFromTable(n, tf) is NativeFunction known)
            return known;
        PyObject? r = FindFunctionThroughDwarf(n);
        if (r is NativeFunction nf && !FromHeader) Remember(n, nf);
        return r;
    }

    private PyObject? FindFunctionThroughDwarf(string n)
    {
        if (FromHeader && FromHeaderDeclaration(n) is NativeFunction fromHeader) return fromHeader;
        Function? fn = HasDwarf ? Dwarf!.FindFunction(n) : null;
        nint addr = SymbolAddress(n);
        if (HasDwarf && addr != 0 && (ulong)addr >= Dwarf!.Start && (ulong)addr < Dwarf.End && (fn == null || (nint)(fn.LowPc + Dwarf.Bias) != addr))
        {
            // the entry point the loader resolved (IFUNC implementation, alias) has its own DWARF
            Function? impl = Dwarf.FunctionAt((ulong)addr - Dwarf.Bias);
            if (impl != null && (nint)(impl.LowPc + Dwarf.Bias) == addr && impl.Type.IsPrototyped) fn = impl;
            else if (fn == null || !fn.Type.IsPrototyped) fn = PrototypeFromDeclarations(n, fn) ?? fn;
        }
        // An IFUNC with no DIE under its own name (glibc's time and gettimeofday, which resolve into the vDSO): its
        // ELF symbol is the resolver's address, and the resolver's DWARF returns the implementation's type.
        if (fn == null && HasDwarf && addr != 0 && Dwarf!.FindSymbol(n) is { IsIndirect: true } ifunc)
            fn = Dwarf.FunctionAt(ifunc.Address);
        if (fn != null && IsFromAssembler(fn))
        {
            // The assembler describes a function it assembled as `void f()`: no return type, no parameters (glibc's
            // system call wrappers: getpid, getuid, ...). A C unit that calls it declares it properly, under its name
            // or glibc's internal alias (__getpid). No declaration anywhere: the function has no signature, and a
            // call asks for one instead of returning None.
            Function? decl = PrototypeFromDeclarations(n, fn)
                ?? (n.StartsWith("__", StringComparison.Ordinal) ? PrototypeFromDeclarations(n.Substring(2), fn) : PrototypeFromDeclarations("__" + n, fn));
            if (decl == null)
            {
                if (addr == 0 && fn.LowPc != 0) addr = (nint)(fn.LowPc + Dwarf!.Bias);
                return addr == 0 ? null : new NativeFunction(addr, n, null, null);
            }
            if (addr == 0 && fn.LowPc != 0) addr = (nint)(fn.LowPc + Dwarf!.Bias);
            fn = decl;
        }
        if (fn != null)
        {
            FunctionType ft = fn.Type;
            FfiSignature? sig = null;
            if (addr == 0 && fn.LowPc != 0) addr = (nint)(fn.LowPc + Dwarf!.Bias);
            if (addr == 0) return null;
            // an IFUNC: DWARF describes the resolver, which returns the implementation's type
            bool resolver = ft.Parameters.Count == 0 && ft.ReturnType.Unqualified is PointerType && (fn.Name != n || (nint)(fn.LowPc + Dwarf!.Bias) != addr);
            if (resolver && CTypes.FunctionPointee(ft.ReturnType) is FunctionType impl)
                ft = impl;
            else if (resolver && PrototypeFromDeclarations(n, fn) is Function decl)
            {
                try { sig = FfiSignature.For(decl); } catch (FfiException) { sig = null; }
                return new NativeFunction(addr, n, sig, decl.Type);
            }
            else
            {
                try { sig = FfiSignature.For(fn); } catch (FfiException) { sig = null; }
                if (sig != null) return new NativeFunction(addr, n, sig, ft);
            }
            try { sig = FfiSignature.For(ft); } catch (FfiException) { sig = null; }
            return new NativeFunction(addr, n, sig, ft);
        }
        if (addr != 0 && HasDwarf && PrototypeFromDeclarations(n, null) is Function declared)
        {
            // An entry point with no definition in this module's DWARF: the loader resolved it into the vDSO (time,
            // gettimeofday: glibc's IFUNCs pick the kernel's code) or an IFUNC resolver has no DIE. The declaration a
            // calling unit carries types it.
            FfiSignature? dsig;
            try { dsig = FfiSignature.For(declared); } catch (FfiException) { dsig = null; }
            return new NativeFunction(addr, n, dsig, declared.Type);
        }
        if (n == "atexit" && Name != "__main__" && SymbolAddress("__cxa_atexit") != 0) return AtExitShim();
        if (addr != 0 && HasDwarf && Dwarf!.FindSymbol(n) is ElfSymbol es && es.IsFunction) return new NativeFunction(addr, n, null, null);
        if (addr != 0 && !HasDwarf && Dwarf?.FindSymbol(n) is ElfSymbol es2 && es2.IsFunction) return new NativeFunction(addr, n, null, null);
        return null;
    }

    /// <summary>A function DIE as the assembler writes it: not prototyped, no parameters, and an unspecified return
    /// type (DW_TAG_unspecified_type; C's `void f()` has no DW_AT_type at all).</summary>
    private static bool IsFromAssembler(Function fn) =>
        !fn.Type.IsPrototyped && fn.Type.Parameters.Count == 0 && fn.Type.ReturnType is VoidType { IsUnspecified: true };

    /// <summary>An IFUNC whose resolver is untyped (glibc's strlen): the prototype of a declaration of the name
    /// in any unit that calls it.</summary>
    private Function? PrototypeFromDeclarations(string n, Function? resolver)
    {
        foreach (ulong die in Dwarf!.Index.Lookup(n, IndexKind.Function))
        {
            if (resolver != null && die == resolver.DieOffset) continue;
            Function? f = Dwarf.FunctionAtOffset(die);
            if (f != null && f.Type.IsPrototyped && (f.Type.Parameters.Count > 0 || f.Type.ReturnType.Unqualified is not PointerType)) return f;
        }
        return null;
    }

    /// <summary><c>atexit</c> lives in libc_nonshared.a (no entry point in libc.so.6): it registers through
    /// <c>__cxa_atexit(fn, NULL, NULL)</c>, which is what the static stub does.</summary>
    private PyBuiltinFunction AtExitShim()
    {
        nint cxa = SymbolAddress("__cxa_atexit");
        FfiSignature reg = FfiSignature.Parse("int __cxa_atexit(void *func, void *arg, void *dso)");
        FfiSignature cb = FfiSignature.Parse("void(void)");
        return new PyBuiltinFunction("atexit", (a, k) =>
        {
            if (a.Length != 1 || k != null) throw Ops.TypeError("atexit() takes 1 argument (" + a.Length + " given)");
            nint fp = a[0] switch
            {
                NativeFunction nf => nf.Address,
                NativePointer np => np.Value,
                _ when a[0].IsCallable => NativeCallback.For(a[0], cb).Pointer,
                _ => throw Ops.TypeError("argument 1 (func): expected void (*)(void), got " + NativeValues.TypeName(a[0])),
            };
            FfiValue r = FfiCall.Invoke(cxa, reg, new FfiValue[] { FfiValue.FromPointer(fp), FfiValue.None, FfiValue.None });
            return PyInt.Get(r.AsInt64());
        });
    }

    internal bool TryGlobal(string n, out nint address, out CType? type)
    {
        lock (_globals)
        {
            if (_globals.TryGetValue(n, out var hit)) { address = hit.Item1; type = hit.Item2; return true; }
        }
        address = 0; type = null;
        if (HasDwarf && Table?.Global(n) is CType known && SymbolAddress(n) is var ka && ka != 0)
        {
            address = ka; type = known;
            lock (_globals) _globals[n] = (ka, known);
            return true;
        }
        DwarfModule? types = TypeSource;
        if (types == null) return false;
        Variable? v = types.FindGlobal(n);
        if (v == null) return false;
        nint a = SymbolAddress(n);
        if (a == 0 && HasDwarf && v.Location.StaticAddress is ulong sa) a = (nint)(sa + Dwarf!.Bias);
        if (a == 0) return false;
        address = a; type = v.Type;
        lock (_globals) _globals[n] = (a, v.Type);
        if (types == Dwarf && a == SymbolAddress(n)) TableToFill?.AddGlobal(n, v.Type);
        return true;
    }

    private Dictionary<string, long> Enumerators()
    {
        if (_enumerators != null) return _enumerators;
        var d = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (CompileUnit u in TypeSource!.Units)
            foreach (CType t in u.Types)
                if (t is EnumType e)
                    foreach (Enumerator en in e.Values) d.TryAdd(en.Name, en.Value);
        return _enumerators = d;
    }

    internal CType? FindTag(string keyword, string tag)
    {
        string key = keyword + " " + tag;
        if (HasDwarf && Table?.Type(key) is CType known) return known;
        DwarfModule? types = TypeSource;
        CType? t = types?.FindType(key);
        if (t != null && types == Dwarf) TableToFill?.AddType(key, t);
        return t;
    }
}

/// <summary><c>mod.struct</c>, <c>mod.union</c>, <c>mod.enum</c>: tags as attributes.</summary>
public sealed class TagNamespace : PyObject
{
    private static PyType? _type;
    internal static PyType TypeObj => _type ??= new PyType("native_tags", PyType.ObjectType, null) { ModuleName = "process" };
    private readonly NativeModule _module;
    private readonly string _keyword;
    private readonly Dictionary<string, NativeType> _cache = new(StringComparer.Ordinal);

    internal TagNamespace(NativeModule module, string keyword) { _module = module; _keyword = keyword; }
    public override PyType Type => TypeObj;
    public override string Repr() => "<" + _keyword + " tags of " + _module.Name + ">";

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        if (_cache.TryGetValue(name.Value, out NativeType? t)) return t;
        CType? ct = _module.FindTag(_keyword, name.Value);
        if (ct == null) return Ops.GenericGetAttr(this, name);
        t = new NativeType(ct, -1);
        _cache[name.Value] = t;
        return t;
    }
}

/// <summary>A C type as a Python callable: calling it allocates a zeroed object of that type on the C heap
/// (fields may be given by position or name); <c>T[n]</c> is the array type; enum types have their enumerators
/// as attributes.</summary>
public sealed class NativeType : PyObject
{
    private static PyType? _type;
    internal static PyType TypeObj => _type ??= new PyType("native_type", PyType.ObjectType, null) { ModuleName = "process" };

    public readonly CType CType;
    public readonly long Count;

    internal NativeType(CType type, long count) { CType = type; Count = count; }

    public override PyType Type => TypeObj;
    public override bool IsCallable => true;
    internal string Text => Count >= 0 ? CType.ToCString("[" + Count + "]") : CType.ToCString();
    public override string Repr() => "<native type '" + Text + "'>";
    internal long ByteSize => Count >= 0 ? Count * Math.Max(0, CType.Size) : CType.Size;

    public override PyObject Call(ReadOnlySpan<PyObject> args, PyStr[]? kwnames)
    {
        long size = ByteSize;
        if (size <= 0 && Count != 0) throw Ops.TypeError("cannot create an object of incomplete type " + Text);
        var alloc = new Allocation(CType, Count, size);
        var obj = new NativeObject(alloc.Address, CType, Count, alloc, false);
        int npos = args.Length - (kwnames?.Length ?? 0);
        if (obj.IsStruct)
        {
            var st = (StructType)CType.Unqualified;
            int mi = 0;
            for (int i = 0; i < npos; i++)
            {
                while (mi < st.Members.Count && st.Members[mi].Name == null) mi++;
                if (mi >= st.Members.Count) throw Ops.TypeError(Text + "() takes at most " + st.Members.Count + " positional values");
                obj.SetAttr(PyStr.Intern(st.Members[mi].Name!), args[i]);
                mi++;
            }
            if (kwnames != null)
                for (int k = 0; k < kwnames.Length; k++)
                {
                    if (!st.TryGetMember(kwnames[k].Value, out _)) throw Ops.TypeError(Text + " has no member '" + kwnames[k].Value + "'");
                    obj.SetAttr(kwnames[k], args[npos + k]);
                }
        }
        else if (npos == 1)
        {
            if (obj.IsArray) obj.Assign(args[0], Text);
            else obj.SetAttr(PyStr.Intern("value"), args[0]);
        }
        else if (npos > 1 || kwnames != null) throw Ops.TypeError(Text + "() takes at most one initial value");
        return obj;
    }

    public override PyObject GetItem(PyObject key)
    {
        if (Count >= 0) throw Ops.TypeError("multi-dimensional synthetic arrays are not supported");
        long n = Ops.IndexValue(key);
        if (n < 0) throw Ops.ValueError("array length must be >= 0");
        return new NativeType(CType, n);
    }

    public override PyObject? GetAttrOrNull(PyStr name)
    {
        if (CType.Unqualified is EnumType e && e.TryGetValue(name.Value, out long v)) return PyInt.Get(v);
        if (name.Value == "__name__") return PyStr.Of(Text);
        if (CType.Unqualified is StructType st && Count < 0 && CxxSupport.ClassAttribute(st, name.Value) is PyObject cxx) return cxx; // C++ statics
        return Ops.GenericGetAttr(this, name);
    }

    public override PyObject? RichCompare(PyObject other, CmpOp op)
    {
        if (op != CmpOp.Eq && op != CmpOp.Ne) return null;
        bool eq = other is NativeType t && t.Count == Count && CTypes.Key(t.CType) == CTypes.Key(CType);
        return PyBool.Of(op == CmpOp.Eq ? eq : !eq);
    }
    public override long Hash() => CTypes.Key(CType).GetHashCode() ^ (int)Count;
}
