namespace Invisible.Python.Runtime;

// Instances of heap subclasses of int, float and str (`class Color(int)`, `class Name(str)`): they are
// the builtin C# value class, so every builtin method, operator and conversion sees the value, and
// they add the heap class and an attribute dictionary. The VM's fast paths test the exact C# type,
// so a subclass instance always takes the generic path, where the class's overrides are honoured.

/// <summary>An instance of a subclass of int.</summary>
public sealed class PyIntSub : PyInt
{
    private readonly PyType _type;
    private PyDict? _dict;
    public PyIntSub(PyType type, PyInt value) : base(value) { _type = type; }
    public override PyType Type => _type;
    public override PyDict? Dict => _dict ??= new PyDict();
}

/// <summary>An instance of a subclass of float.</summary>
public sealed class PyFloatSub : PyFloat
{
    private readonly PyType _type;
    private PyDict? _dict;
    public PyFloatSub(PyType type, double value) : base(value) { _type = type; }
    public override PyType Type => _type;
    public override PyDict? Dict => _dict ??= new PyDict();
}

/// <summary>An instance of a subclass of str.</summary>
public sealed class PyStrSub : PyStr
{
    private readonly PyType _type;
    private PyDict? _dict;
    public PyStrSub(PyType type, string value) : base(value) { _type = type; }
    public override PyType Type => _type;
    public override PyDict? Dict => _dict ??= new PyDict();
}

/// <summary>An instance of a subclass of complex.</summary>
public sealed class PyComplexSub : PyComplex
{
    private readonly PyType _type;
    private PyDict? _dict;
    public PyComplexSub(PyType type, System.Numerics.Complex value) : base(value) { _type = type; }
    public override PyType Type => _type;
    public override PyDict? Dict => _dict ??= new PyDict();
}
