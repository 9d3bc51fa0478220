using System;

namespace Invisible.Python.Runtime;

/// <summary>
/// CPython's struct sequences (<c>PyStructSequence</c>: <c>sys.flags</c>, <c>sys.version_info</c>, <c>os.stat_result</c>,
/// <c>time.struct_time</c>...): a tuple subclass whose items are also read by name. The type is made once (immutable,
/// shared by interpreters); <see cref="Make"/> builds instances.
/// </summary>
public sealed class StructSeq
{
    public readonly PyType Type;
    public readonly string[] Fields;

    /// <param name="qualName">the name in reprs, e.g. "sys.flags" (module "sys", type name "flags")</param>
    public StructSeq(string qualName, params string[] fields)
    {
        Fields = fields;
        int dot = qualName.LastIndexOf('.');
        var name = dot >= 0 ? qualName.Substring(dot + 1) : qualName;
        Type = new PyType(name, PyTuple.TypeObj, null) { ModuleName = dot >= 0 ? qualName.Substring(0, dot) : "builtins" };
        for (int i = 0; i < fields.Length; i++)
        {
            int index = i;
            var getter = new PyBuiltinFunction(fields[i], (a, k) => ((PyTuple)a[0]).Items[index]);
            Type.TypeDict.SetItem(PyStr.Intern(fields[i]), new PyProperty(getter, null, null, PyNone.Instance));
        }
        Type.TypeDict.SetItem(PyStr.Intern("n_fields"), PyInt.Get(fields.Length));
        Type.TypeDict.SetItem(PyStr.Intern("n_sequence_fields"), PyInt.Get(fields.Length));
        Type.TypeDict.SetItem(PyStr.Intern("n_unnamed_fields"), PyInt.Zero);
        var qn = qualName;
        Type.TypeDict.SetItem(PyStr.S___repr__, new PyBuiltinFunction("__repr__", (a, k) =>
        {
            var t = (PyTuple)a[0];
            var sb = new System.Text.StringBuilder(qn).Append('(');
            for (int j = 0; j < Fields.Length && j < t.Items.Length; j++)
            {
                if (j > 0) sb.Append(", ");
                sb.Append(Fields[j]).Append('=').Append(Ops.Repr(t.Items[j]));
            }
            return PyStr.Of(sb.Append(')').ToString());
        }, isMethod: true));
    }

    public PyTuple Make(params PyObject[] values)
    {
        if (values.Length != Fields.Length) throw new ArgumentException($"{Type.Name}: {Fields.Length} fields, {values.Length} values");
        return new PyTuple(values, Type);
    }
}
