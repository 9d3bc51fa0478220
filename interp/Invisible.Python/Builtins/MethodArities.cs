using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Builtins;

public static partial class TypeMethods
{
    /// <summary>CPython's argument rules of the container types' methods, read off CPython 3.11 (each method called
    /// with 0 and 9 arguments and a keyword): <c>n</c> METH_NOARGS, <c>o</c> METH_O, <c>LO-HI</c> fastcall bounds,
    /// <c>*</c> varargs; a trailing <c>k</c> accepts keywords. One checked path (<see cref="PyBuiltinFunction.Invoke"/>)
    /// gives every listed method CPython's TypeErrors, the self check included.</summary>
    private static (PyType Type, string Spec)[] ContainerArities() => new[]
    {
        (PyDict.TypeObj, "__getitem__:o __contains__:o __sizeof__:n get:1-2 setdefault:1-2 pop:1-2 popitem:n keys:n items:n values:n update:0-1k clear:n copy:n __reversed__:n"),
        (PyList.TypeObj, "__getitem__:o __reversed__:n __sizeof__:n clear:n copy:n append:o insert:2-2 extend:o pop:0-1 remove:o index:1-3 count:o reverse:n"),
        (PyTuple.TypeObj, "__getnewargs__:n index:1-3 count:o"),
        (PySet.SetType, "__contains__:o add:o clear:n copy:n discard:o isdisjoint:o issubset:o issuperset:o pop:n __reduce__:n remove:o __sizeof__:n symmetric_difference:o symmetric_difference_update:o difference:* difference_update:* intersection:* intersection_update:* union:* update:*"),
        (PySet.FrozenSetType, "__contains__:o copy:n isdisjoint:o issubset:o issuperset:o __reduce__:n __sizeof__:n symmetric_difference:o difference:* intersection:* union:*"),
    };

    private static void ApplyArities()
    {
        foreach (var (type, spec) in ContainerArities())
        {
            foreach (var entry in spec.Split(' '))
            {
                int colon = entry.IndexOf(':');
                string name = entry.Substring(0, colon), rule = entry.Substring(colon + 1);
                // a method this runtime does not define (yet) is skipped; a shared descriptor is not ours to mark
                if (type.TypeDict.GetOrNull(PyStr.Intern(name)) is not PyBuiltinFunction { IsMethod: true } f || f.Owner != null) continue;
                f.Owner = type;
                f.AcceptsKeywords = rule.EndsWith('k');
                if (f.AcceptsKeywords) rule = rule.Substring(0, rule.Length - 1);
                switch (rule)
                {
                    case "n": f.Arity = MethodArity.NoArgs; break;
                    case "o": f.Arity = MethodArity.One; break;
                    case "*": f.Arity = MethodArity.VarArgs; break;
                    default:
                        int dash = rule.IndexOf('-');
                        f.MinArgs = short.Parse(rule.AsSpan(0, dash));
                        f.MaxArgs = short.Parse(rule.AsSpan(dash + 1));
                        f.Arity = MethodArity.Range;
                        break;
                }
            }
        }
    }
}
