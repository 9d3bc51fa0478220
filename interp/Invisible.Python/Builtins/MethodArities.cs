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
        (PyBytes.TypeObj, "__bytes__:n __getnewargs__:n " + BytesArities),
        (PyByteArray.TypeObj, "__alloc__:n __reduce__:n __reduce_ex__:0-1 __sizeof__:n append:o clear:n copy:n extend:o insert:2-2 pop:0-1 remove:o reverse:n " + BytesArities),
        (PySet.SetType, "__contains__:o add:o clear:n copy:n discard:o isdisjoint:o issubset:o issuperset:o pop:n __reduce__:n remove:o __sizeof__:n symmetric_difference:o symmetric_difference_update:o difference:* difference_update:* intersection:* intersection_update:* union:* update:*"),
        (PySet.FrozenSetType, "__contains__:o copy:n isdisjoint:o issubset:o issuperset:o __reduce__:n __sizeof__:n symmetric_difference:o difference:* intersection:* union:*"),
    };

    /// <summary>The methods bytes and bytearray share; <c>p</c>: PyArg_ParseTuple's messages.</summary>
    private const string BytesArities = "capitalize:n center:1-2 count:1-3p decode:0-2pk endswith:1-3p expandtabs:0-1pk find:1-3p hex:0-2pk " +
        "index:1-3p isalnum:n isalpha:n isascii:n isdigit:n islower:n isspace:n istitle:n isupper:n join:o ljust:1-2 lower:n " +
        "lstrip:0-1 partition:o removeprefix:o removesuffix:o replace:2-3 rfind:1-3p rindex:1-3p rjust:1-2 rpartition:o rsplit:0-2pk " +
        "rstrip:0-1 split:0-2pk splitlines:0-1pk startswith:1-3p strip:0-1 swapcase:n title:n upper:n zfill:o";

    private static void ApplyArities()
    {
        foreach (var (type, spec) in ContainerArities())
        {
            foreach (var entry in spec.Split(' '))
            {
                int colon = entry.IndexOf(':');
                string name = entry.Substring(0, colon), rule = entry.Substring(colon + 1);
                // a method this runtime does not define (yet) is skipped; a shared descriptor is not ours to mark
                if (type.TypeDict.GetOrNull(PyStr.Intern(name)) is not PyBuiltinFunction { IsMethod: true } f || (f.Owner != null && f.Owner != type)) continue;
                f.Owner = type;
                f.AcceptsKeywords = rule.EndsWith('k');
                if (f.AcceptsKeywords) rule = rule.Substring(0, rule.Length - 1);
                f.ParseTupleStyle = rule.EndsWith('p');
                if (f.ParseTupleStyle) rule = rule.Substring(0, rule.Length - 1);
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
