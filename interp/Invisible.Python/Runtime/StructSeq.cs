using System;
using System.Text;

namespace Invisible.Python.Runtime;

/// <summary>A struct sequence type (CPython's structseq: sys.flags, sys.version_info, os.stat_result, time.struct_time,
/// os.uname_result...): a tuple subtype whose first <see cref="NVisible"/> fields are the tuple's items and the rest are
/// attributes only. A null field name is an unnamed field (CPython's PyStructSequence_UnnamedField: os.stat_result's
/// integer times), reachable by index only. Immutable and shared by every interpreter; <see cref="Make"/> builds instances.</summary>
public sealed class StructSeq
{
    public readonly PyType Type;
    public readonly string?[] Fields;
    public readonly int NVisible;
    /// <summary>Fills defaults when the type is called with a sequence (all fields, visible first).</summary>
    private readonly Action<PyObject[]>? _fixUp;

    /// <summary>Every field visible; <paramref name="qualName"/> is the name in reprs, e.g. "sys.flags" (module
    /// "sys", type "flags").</summary>
    public StructSeq(string qualName, params string[] fields)
        : this(qualName.Substring(0, Math.Max(0, qualName.LastIndexOf('.'))), qualName.Substring(qualName.LastIndexOf('.') + 1), fields, fields.Length)
    {
    }

    public StructSeq(string module, string name, string?[] fields, int nVisible, Action<PyObject[]>? fixUp = null)
    {
        _fixUp = fixUp;
        Fields = fields;
        NVisible = nVisible;
        Type = new PyType(name, PyTuple.TypeObj, (cls, a, k) => FromSequence(a, k)) { ModuleName = module };
        int unnamed = 0;
        for (int i = 0; i < fields.Length; i++)
        {
            int index = i;
            if (fields[i] is not string field) { unnamed++; continue; }
            NativeFn get = index < nVisible
                ? (a, k) => ((PyTuple)a[0]).Items[index]
                : (a, k) => a[0].Dict?.GetOrNull(field) ?? PyNone.Instance;
            Type.SetMember(field, new PyProperty(new PyBuiltinFunction(field, get), null, null, null));
        }
        Type.SetMember("n_sequence_fields", PyInt.Get(nVisible));
        Type.SetMember("n_fields", PyInt.Get(fields.Length));
        Type.SetMember("n_unnamed_fields", PyInt.Get(unnamed));
        var names = new System.Collections.Generic.List<PyObject>();
        for (int i = 0; i < nVisible; i++) if (fields[i] is string f) names.Add(PyStr.Intern(f));
        Type.SetMember("__match_args__", new PyTuple(names.ToArray()));
        Type.AddMethod("__repr__", (a, k) => PyStr.Of(Repr((PyTuple)a[0])));
        Type.AddMethod("__reduce__", (a, k) =>
        {
            var t = (PyTuple)a[0];
            var extra = new PyDict();
            for (int i = nVisible; i < Fields.Length; i++) if (Fields[i] is string f) extra.SetItem(f, t.Dict?.GetOrNull(f) ?? PyNone.Instance);
            return PyTuple.Of(Type, PyTuple.Of(new PyTuple(t.Items), extra));
        });
    }

    /// <summary>A new instance from all fields (visible ones first).</summary>
    public PyTuple Make(params PyObject[] all)
    {
        if (all.Length == NVisible) return new PyTuple(all, Type);
        var vis = new PyObject[NVisible];
        Array.Copy(all, vis, NVisible);
        var t = new PyTuple(vis, Type);
        var d = t.Dict!;
        for (int i = NVisible; i < Fields.Length; i++) if (Fields[i] is string f) d.SetItem(f, i < all.Length ? all[i] : PyNone.Instance);
        return t;
    }

    /// <summary>type(sequence, dict=None), as CPython's structseq_new.</summary>
    private PyTuple FromSequence(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var seqArg = Ops.Arg(a, k, 0, "sequence") ?? throw Ops.TypeError($"{Type.Name}() missing required argument 'sequence' (pos 1)");
        var dictArg = Ops.Arg(a, k, 1, "dict");
        var items = Ops.ToArray(seqArg);
        string full = FullName;
        if (items.Length < NVisible)
            throw Ops.TypeError(NVisible == Fields.Length
                ? $"{full}() takes a {NVisible}-sequence ({items.Length}-sequence given)"
                : $"{full}() takes an at least {NVisible}-sequence ({items.Length}-sequence given)");
        if (items.Length > Fields.Length)
            throw Ops.TypeError(NVisible == Fields.Length
                ? $"{full}() takes a {NVisible}-sequence ({items.Length}-sequence given)"
                : $"{full}() takes an at most {Fields.Length}-sequence ({items.Length}-sequence given)");
        var all = new PyObject[Fields.Length];
        for (int i = 0; i < all.Length; i++)
        {
            if (i < items.Length) all[i] = items[i];
            else all[i] = (Fields[i] is string f ? (dictArg as PyDict)?.GetOrNull(f) : null) ?? PyNone.Instance;
        }
        _fixUp?.Invoke(all);
        return Make(all);
    }

    /// <summary>"module.name", or the bare name for a type of no module (builtins: sys's asyncgen_hooks).</summary>
    private string FullName => string.IsNullOrEmpty(Type.ModuleName) ? Type.Name : Type.ModuleName + "." + Type.Name;

    private string Repr(PyTuple t)
    {
        var sb = new StringBuilder(FullName).Append('(');
        // as structseq_repr: visible item i is shown under the i-th *named* field (with unnamed visible fields, as
        // stat_result's integer times, the names shift: CPython shows st_atime=<the integer time>)
        int named = 0;
        for (int i = 0; i < NVisible; i++)
        {
            while (named < Fields.Length && Fields[named] == null) named++;
            if (i > 0) sb.Append(", ");
            sb.Append(named < Fields.Length ? Fields[named] : "unnamed field").Append('=').Append(Ops.Repr(t.Items[i]));
            named++;
        }
        return sb.Append(')').ToString();
    }
}
