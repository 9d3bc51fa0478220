using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Builtins;

/// <summary>bytearray's __init__, deletion, in-place operators, __alloc__ and its live iterator; bytes.__bytes__ and
/// the % operator's slots of both (CPython's bytearrayobject.c / bytesobject.c).</summary>
public static partial class TypeMethods
{
    private static void InitByteArray()
    {
        InitBytesSplit();
        var bt = PyByteArray.TypeObj;
        bt.AddMethod("__init__", ByteArrayInit);
        Slots(bt, "__delitem__", "__iadd__");
        bt.AddMethod("__imul__", (a, k) => a[0].InplaceOp(BinOp.Mul, a[1]) ?? PyNotImplementedType.Instance);
        bt.AddMethod("__alloc__", (a, k) => PyInt.Get(((PyByteArray)a[0]).Alloc));
        bt.AddMethod("__sizeof__", (a, k) => PyInt.Get(56 + ((PyByteArray)a[0]).Alloc)); // CPython's object header + allocation

        foreach (var t in new[] { PyBytes.TypeObj, PyByteArray.TypeObj })
        {
            Slots(t, "__mod__");
            // the reflected % only formats a bytes-like left operand that did not (str % bytes is str's business)
            t.AddMethod("__rmod__", (a, k) => a[1] is PyBytes left ? left.BinOp(BinOp.Mod, a[0]) ?? PyNotImplementedType.Instance : PyNotImplementedType.Instance);
        }
        // bytes(x) of a bytes subclass instance is plain bytes; of bytes itself, the same object
        PyBytes.TypeObj.AddMethod("__bytes__", (a, k) =>
        {
            var self = a[0] as PyBytes is { } b && a[0] is not PyByteArray ? b : throw Ops.TypeError($"descriptor '__bytes__' requires a 'bytes' object but received a '{a[0].Type.Name}'");
            return self.Type == PyBytes.TypeObj ? self : new PyBytes(self.Span.ToArray());
        });

        PyBytes.TypeObj.SetMember("__doc__", new PyStr(
            "bytes(iterable_of_ints) -> bytes\nbytes(string, encoding[, errors]) -> bytes\nbytes(bytes_or_buffer) -> bytes\n" +
            "bytes(int) -> bytes\nbytes() -> bytes\n\nAn immutable sequence of bytes: from ints in range(256), an encoded string,\n" +
            "a copy of a buffer, or a number of zero bytes."));
        bt.SetMember("__doc__", new PyStr(
            "bytearray(iterable_of_ints) -> bytearray\nbytearray(string, encoding[, errors]) -> bytearray\n" +
            "bytearray(bytes_or_buffer) -> bytearray\nbytearray(int) -> bytearray\nbytearray() -> bytearray\n\n" +
            "A mutable sequence of bytes: from ints in range(256), an encoded string,\na copy of a buffer, or a number of zero bytes."));

        var it = PyByteArrayIterator.TypeObj = new PyType("bytearray_iterator", PyType.ObjectType, null);
        it.AddMethod("__next__", (a, k) => a[0].Next() ?? throw Ops.StopIteration());
        it.AddMethod("__iter__", (a, k) => a[0]);
        it.AddMethod("__length_hint__", (a, k) => PyInt.Get(((PyByteArrayIterator)a[0]).LengthHint));
        it.AddMethod("__reduce__", (a, k) => ((PyByteArrayIterator)a[0]).Reduce());
        it.AddMethod("__setstate__", (a, k) => { ((PyByteArrayIterator)a[0]).SetState(a[1]); return PyNone.Instance; });
    }
}
