using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Io;

/// <summary>_io.IncrementalNewlineDecoder (CPython's Modules/_io/textio.c): wraps an incremental decoder (or None:
/// the input is already str) and translates "\r\n" and "\r" to "\n" when asked, holding back a trailing "\r" until
/// the next chunk shows whether a "\n" follows; <c>newlines</c> reports the kinds seen (the bits of
/// <see cref="StringIO.NewlinesValue"/>: 1 = "\r", 2 = "\n", 4 = "\r\n").</summary>
public sealed class IncrementalNewlineDecoder : PyObject
{
    public static PyType TypeObj = null!;
    private readonly PyType _type;
    private PyDict? _dict;
    private PyObject? _decoder;
    private PyObject _errors = PyNone.Instance;
    private bool _translate, _pendingCr, _ok;
    private int _seen;

    public IncrementalNewlineDecoder(PyType t) { _type = t; }
    public override PyType Type => _type;
    public override PyDict? Dict => _type.IsHeap ? _dict ??= new PyDict() : null;

    private static IncrementalNewlineDecoder D(PyObject o) =>
        o as IncrementalNewlineDecoder ?? throw Ops.TypeError($"descriptor requires a '_io.IncrementalNewlineDecoder' object but received '{o.Type.Name}'");

    private void CheckInit()
    {
        if (!_ok) throw Ops.ValueError("IncrementalNewlineDecoder.__init__() not called");
    }

    private static readonly ArgParser InitArgs = new("IncrementalNewlineDecoder", "decoder, translate, errors='strict'");
    private static readonly ArgParser DecodeArgs = new("decode", "input, final=False");

    private PyObject Decode(PyObject input, bool final)
    {
        CheckInit();
        PyObject output = _decoder == PyNone.Instance ? input : Ops.Call(Ops.GetAttr(_decoder!, "decode"), new[] { input, PyBool.Of(final) });
        if (output is not PyStr ps) throw Ops.TypeError($"decoder should return a string result, not '{output.Type.Name}'");
        string s = ps.Value;
        if (_pendingCr && (final || s.Length > 0))
        {
            s = "\r" + s;
            _pendingCr = false;
        }
        // a "\r" at the end may be the first half of "\r\n": keep it for the next call (unless this is the last)
        if (!final && s.Length > 0 && s[^1] == '\r')
        {
            s = s.Substring(0, s.Length - 1);
            _pendingCr = true;
        }
        int cr = 0, lf = 0, crlf = 0;
        for (int i = s.IndexOfAny(NewlineChars); i >= 0; i = i + 1 < s.Length ? s.IndexOfAny(NewlineChars, i + 1) : -1)
        {
            if (s[i] == '\n') lf++;
            else if (i + 1 < s.Length && s[i + 1] == '\n') { crlf++; i++; }
            else cr++;
        }
        _seen |= (cr > 0 ? 1 : 0) | (lf > 0 ? 2 : 0) | (crlf > 0 ? 4 : 0);
        if (_translate && (cr > 0 || crlf > 0))
        {
            if (crlf > 0) s = s.Replace("\r\n", "\n", StringComparison.Ordinal);
            if (cr > 0) s = s.Replace('\r', '\n');
        }
        return ReferenceEquals(s, ps.Value) ? ps : PyStr.Of(s);
    }

    private static readonly char[] NewlineChars = { '\r', '\n' };

    internal static void CreateType()
    {
        var t = new PyType("IncrementalNewlineDecoder", PyType.ObjectType, (cls, a, k) => new IncrementalNewlineDecoder(cls)) { ModuleName = "_io" };
        TypeObj = t;
        t.AddMethod("__init__", (a, k) =>
        {
            var d = D(a[0]);
            var args = InitArgs.Parse(a.Slice(1), k);
            d._decoder = args[0]!;
            d._translate = Ops.IsTrue(args[1]!);
            d._errors = args[2] ?? PyStr.Of("strict");
            d._pendingCr = false;
            d._seen = 0;
            d._ok = true;
            return PyNone.Instance;
        });
        t.AddMethod("decode", (a, k) =>
        {
            var args = DecodeArgs.Parse(a.Slice(1), k);
            return D(a[0]).Decode(args[0]!, args[1] != null && Ops.IsTrue(args[1]!));
        });
        t.AddMethod("getstate", (a, k) =>
        {
            var d = D(a[0]);
            d.CheckInit();
            PyObject buffer = new PyBytes(Array.Empty<byte>());
            long flag = 0;
            if (d._decoder != PyNone.Instance)
            {
                var state = Ops.CallMethod(d._decoder!, "getstate");
                if (state is not PyTuple st || st.Items.Length != 2) throw Ops.TypeError("illegal decoder state");
                buffer = st.Items[0];
                flag = Ops.IndexValue(st.Items[1]);
            }
            flag <<= 1;
            if (d._pendingCr) flag |= 1;
            return new PyTuple(new[] { buffer, PyInt.Get(flag) });
        });
        t.AddMethod("setstate", (a, k) =>
        {
            var d = D(a[0]);
            d.CheckInit();
            Ops.ArgCount(a.Slice(1), 1, 1, "setstate");
            if (a[1] is not PyTuple st) throw Ops.TypeError("state argument must be a tuple");
            if (st.Items.Length != 2) throw Ops.TypeError($"setstate expected 2 arguments, got {st.Items.Length}");
            long flag = Ops.IndexValue(st.Items[1]);
            d._pendingCr = (flag & 1) != 0;
            if (d._decoder != PyNone.Instance)
                Ops.CallMethod(d._decoder!, "setstate", new PyTuple(new[] { st.Items[0], PyInt.Get(flag >> 1) }));
            return PyNone.Instance;
        });
        t.AddMethod("reset", (a, k) =>
        {
            var d = D(a[0]);
            d.CheckInit();
            d._seen = 0;
            d._pendingCr = false;
            if (d._decoder != PyNone.Instance) Ops.CallMethod(d._decoder!, "reset");
            return PyNone.Instance;
        });
        t.SetMember("newlines", IoCommon.Prop("newlines", o => { var d = D(o); d.CheckInit(); return StringIO.NewlinesValue(d._seen); }));
    }
}
