using Invisible.Python.Runtime;

namespace Invisible.Python.Builtins;

/// <summary>reversed(seq) over a sequence without __reversed__ (CPython's reversedobject): items fetched by index
/// from the end; pickles as <c>(reversed, (seq,), index)</c> and takes its index back through __setstate__.</summary>
public sealed class PyReversedIterator : PyObject
{
    private PyObject? _seq; // released once exhausted, as CPython's Py_CLEAR(ro->seq)
    private long _index;

    public PyReversedIterator(PyObject seq, long length) { _seq = seq; _index = length - 1; }
    public override PyType Type => BuiltinsModule.ReversedType;
    public override PyObject Iter() => this;

    public override PyObject? Next()
    {
        if (_seq != null && _index >= 0)
        {
            try
            {
                var item = Ops.GetItem(_seq, PyInt.Get(_index));
                _index--;
                return item;
            }
            catch (PyException e) when (e.Value.Type.IsSubtypeOf(PyBaseException.IndexErrorType) || e.Value.Type.IsSubtypeOf(PyBaseException.StopIterationType)) { }
        }
        _index = -1;
        _seq = null;
        return null;
    }

    /// <summary>__length_hint__: index + 1 while that is within the sequence, else 0.</summary>
    public long LengthHint()
    {
        if (_seq == null) return 0;
        long position = _index + 1, size = Ops.Len(_seq);
        return position <= size ? position : 0;
    }

    public PyObject Reduce() => _seq != null
        ? new PyTuple(new PyObject[] { BuiltinsModule.ReversedType, new PyTuple(new[] { _seq }), PyInt.Get(_index) })
        : new PyTuple(new PyObject[] { BuiltinsModule.ReversedType, new PyTuple(new PyObject[] { PyTuple.Empty }) });

    public void SetState(PyObject state)
    {
        long index = Ops.IndexValueClamped(state);
        if (_seq == null) return;
        long n = Ops.Len(_seq);
        _index = index < -1 ? -1 : index > n - 1 ? n - 1 : index;
    }
}
