using System;
using System.Collections.Generic;
using System.Numerics;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>
/// CPython's <c>itertools</c> (Modules/itertoolsmodule.c): the iterator types, each a built-in type (subclassable,
/// module "itertools"), with CPython 3.11's argument rules and messages, and its algorithms (so the order in which
/// the underlying iterators are advanced, and what is kept, match: groupby's shared grouper, tee's linked chunks).
/// The types are made once for the process and shared by every interpreter; the iterator objects hold no
/// interpreter state.
/// </summary>
public static class ItertoolsModule
{
    private static Types? s_types;
    private static readonly object TypesGate = new();

    private static Types T
    {
        get
        {
            if (s_types is { } t) return t;
            lock (TypesGate) return s_types ??= new Types();
        }
    }

    public static PyModule Create()
    {
        var m = new PyModule("itertools");
        m.Add("__doc__", new PyStr("Functional tools for creating and using iterators."));
        var t = T;
        foreach (var type in t.All) m.Add(type.Name, type);
        m.AddFn("tee", (a, k) => Tee(TeeArgs.Parse(a, k)));
        return m;
    }

    private static readonly ArgParser TeeArgs = new("tee", "iterable, n=2, /");

    private static PyObject Tee(Args args)
    {
        long n = args.Ssize(1, 2);
        if (n < 0) throw Ops.ValueError("n must be >= 0");
        var result = new PyObject[n];
        if (n == 0) return new PyTuple(result);
        var it = Ops.GetIter(args[0]!);
        // an iterator that copies itself (a _tee, or anything with __copy__) is copied, as CPython does
        PyObject first = it is TeeIterator || Ops.GetAttrOrNull(it, PyStr.Intern("__copy__")) != null
            ? it : new TeeIterator(T.Tee, new TeeData(it), 0);
        result[0] = first;
        var copy = PyStr.Intern("__copy__");
        for (int i = 1; i < n; i++) result[i] = first is TeeIterator tee ? tee.Copy() : Ops.Call0(Ops.GetAttr(first, copy));
        return new PyTuple(result);
    }

    /// <summary>The type objects, made once (they are immutable once made).</summary>
    private sealed class Types
    {
        public readonly PyType Count, Cycle, Repeat, Accumulate, Chain, Compress, DropWhile, TakeWhile, FilterFalse,
            GroupBy, Grouper, ISlice, StarMap, Tee, TeeDataObject, ZipLongest, Pairwise, Product, Combinations,
            CombinationsWithReplacement, Permutations;
        public readonly PyType[] All;

        public Types()
        {
            Count = Make("count", (cls, a, k) =>
            {
                var args = CountArgs.Parse(a, k);
                var start = args.Get(0, PyInt.Zero);
                var step = args.Get(1, PyInt.One);
                if (!IsNumber(start) || !IsNumber(step)) throw Ops.TypeError("a number is required");
                return new CountIterator(cls, start, step);
            });
            Cycle = Make("cycle", (cls, a, k) => { ArgParser.CheckPositional("cycle", a, k, 1, 1); return new CycleIterator(cls, Ops.GetIter(a[0])); });
            Repeat = Make("repeat", (cls, a, k) =>
            {
                var args = RepeatArgs.Parse(a, k);
                long times = args.Has(1) ? Math.Max(0, args.Ssize(1)) : -1;
                return new RepeatIterator(cls, args[0]!, times);
            });
            Repeat.AddMethod("__length_hint__", (a, k) =>
            {
                var r = (RepeatIterator)a[0];
                if (r.Times < 0) throw Ops.TypeError("len() of unsized object");
                return PyInt.Get(r.Times);
            });
            Accumulate = Make("accumulate", (cls, a, k) =>
            {
                var args = AccumulateArgs.Parse(a, k);
                var func = args.Get(1);
                var initial = args.Get(2);
                return new AccumulateIterator(cls, Ops.GetIter(args[0]!), func == PyNone.Instance ? null : func,
                    initial == PyNone.Instance ? null : initial);
            });
            Chain = Make("chain", (cls, a, k) =>
            {
                ArgParser.NoKeywords("chain", k);
                return new ChainIterator(cls, new PySeqIterator(a.ToArray(), a.Length));
            });
            Chain.SetMember("from_iterable", new PyClassMethod(new PyBuiltinFunction("from_iterable", (a, k) =>
            {
                var args = FromIterableArgs.Parse(a.Slice(1), k);
                return new ChainIterator((PyType)a[0], Ops.GetIter(args[0]!));
            })));
            Compress = Make("compress", (cls, a, k) =>
            {
                var args = CompressArgs.Parse(a, k);
                return new CompressIterator(cls, Ops.GetIter(args[0]!), Ops.GetIter(args[1]!));
            });
            DropWhile = Make("dropwhile", (cls, a, k) =>
            {
                var args = DropWhileArgs.Parse(a, k);
                return new PredicateIterator(cls, PredicateIterator.Kind.DropWhile, args[0]!, Ops.GetIter(args[1]!));
            });
            TakeWhile = Make("takewhile", (cls, a, k) =>
            {
                var args = TakeWhileArgs.Parse(a, k);
                return new PredicateIterator(cls, PredicateIterator.Kind.TakeWhile, args[0]!, Ops.GetIter(args[1]!));
            });
            FilterFalse = Make("filterfalse", (cls, a, k) =>
            {
                var args = FilterFalseArgs.Parse(a, k);
                return new PredicateIterator(cls, PredicateIterator.Kind.FilterFalse, args[0]!, Ops.GetIter(args[1]!));
            });
            Grouper = Make("_grouper", null);
            GroupBy = Make("groupby", (cls, a, k) =>
            {
                var args = GroupByArgs.Parse(a, k);
                var key = args.Get(1);
                return new GroupByIterator(cls, Ops.GetIter(args[0]!), key == PyNone.Instance ? null : key);
            });
            ISlice = Make("islice", (cls, a, k) => NewISlice(cls, a, k));
            StarMap = Make("starmap", (cls, a, k) =>
            {
                var args = StarMapArgs.Parse(a, k);
                return new StarMapIterator(cls, args[0]!, Ops.GetIter(args[1]!));
            });
            Tee = Make("_tee", (cls, a, k) =>
            {
                ArgParser.CheckPositional("_tee", a, k, 1, 1);
                var it = Ops.GetIter(a[0]);
                return it is TeeIterator t ? t.Copy() : new TeeIterator(cls, new TeeData(it), 0);
            });
            Tee.AddMethod("__copy__", (a, k) => ((TeeIterator)a[0]).Copy());
            TeeDataObject = Make("_tee_dataobject", null);
            ZipLongest = Make("zip_longest", (cls, a, k) =>
            {
                PyObject fill = PyNone.Instance;
                int npos = a.Length - (k?.Length ?? 0);
                if (k != null)
                {
                    for (int i = 0; i < k.Length; i++)
                    {
                        if (k[i].Value != "fillvalue") throw Ops.TypeError("zip_longest() got an unexpected keyword argument");
                        fill = a[npos + i];
                    }
                }
                var its = new PyObject?[npos];
                for (int i = 0; i < npos; i++) its[i] = Ops.GetIter(a[i]);
                return new ZipLongestIterator(cls, its, fill);
            });
            Pairwise = Make("pairwise", (cls, a, k) => { ArgParser.CheckPositional("pairwise", a, k, 1, 1); return new PairwiseIterator(cls, Ops.GetIter(a[0])); });
            Product = Make("product", (cls, a, k) =>
            {
                var args = ProductArgs.Parse(a, k);
                long repeat = args.Ssize(0, 1);
                if (repeat < 0) throw Ops.ValueError("repeat argument cannot be negative");
                var vararg = args.VarArgs;
                int n = vararg.Length;
                if (repeat > 0 && n > 0 && repeat > int.MaxValue / n) throw Ops.OverflowError("repeat argument too large");
                var given = new PyObject[n][];
                for (int i = 0; i < n; i++) given[i] = Ops.ToArray(vararg[i]);
                var pools = new PyObject[(int)repeat * n][];
                for (int i = 0; i < pools.Length; i++) pools[i] = given[i % n];
                return new ProductIterator(cls, pools);
            });
            Combinations = Make("combinations", (cls, a, k) =>
                ChooseR(cls, CombinationsArgs.Parse(a, k), CombinatoricIterator.Kind.Combinations));
            CombinationsWithReplacement = Make("combinations_with_replacement", (cls, a, k) =>
                ChooseR(cls, CwrArgs.Parse(a, k), CombinatoricIterator.Kind.WithReplacement));
            Permutations = Make("permutations", (cls, a, k) =>
            {
                var args = PermutationsArgs.Parse(a, k);
                var pool = Ops.ToArray(args[0]!);
                long r = pool.Length;
                if (args[1] is { } ro && ro != PyNone.Instance)
                {
                    r = ArgParser.ToSsize(ro);
                    if (r < 0) throw Ops.ValueError("r must be non-negative");
                }
                return new CombinatoricIterator(cls, CombinatoricIterator.Kind.Permutations, pool, r);
            });
            All = new[]
            {
                Tee, TeeDataObject, Accumulate, Chain, Combinations, CombinationsWithReplacement, Compress, Count,
                Cycle, DropWhile, FilterFalse, GroupBy, Grouper, ISlice, Pairwise, Permutations, Product, Repeat,
                StarMap, TakeWhile, ZipLongest,
            };
        }

        /// <summary>combinations and combinations_with_replacement: a pool and how many to choose.</summary>
        private static PyObject ChooseR(PyType cls, Args args, CombinatoricIterator.Kind kind)
        {
            var pool = Ops.ToArray(args[0]!);
            long r = args.Ssize(1);
            if (r < 0) throw Ops.ValueError("r must be non-negative");
            return new CombinatoricIterator(cls, kind, pool, r);
        }

        private static PyType Make(string name, NewFn? newFn)
        {
            var t = new PyType(name, PyType.ObjectType, newFn ?? ((cls, a, k) => throw Ops.TypeError($"cannot create 'itertools.{name}' instances")))
            {
                ModuleName = "itertools",
            };
            t.AddMethod("__iter__", (a, k) => a[0]);
            t.AddMethod("__next__", (a, k) => a[0].Next() ?? throw Ops.StopIteration());
            return t;
        }
    }

    private static readonly ArgParser CountArgs = new("count", "start=0, step=1");
    private static readonly ArgParser RepeatArgs = new("repeat", "object, times=");
    private static readonly ArgParser AccumulateArgs = new("accumulate", "iterable, func=None, *, initial=None");
    private static readonly ArgParser FromIterableArgs = new("chain.from_iterable", "iterable, /");
    private static readonly ArgParser CompressArgs = new("compress", "data, selectors");
    private static readonly ArgParser DropWhileArgs = new("dropwhile", "predicate, iterable, /");
    private static readonly ArgParser TakeWhileArgs = new("takewhile", "predicate, iterable, /");
    private static readonly ArgParser FilterFalseArgs = new("filterfalse", "function, iterable, /");
    private static readonly ArgParser GroupByArgs = new("groupby", "iterable, key=None");
    private static readonly ArgParser StarMapArgs = new("starmap", "function, iterable, /");
    private static readonly ArgParser ProductArgs = new("product", "*iterables, repeat=1");
    private static readonly ArgParser CombinationsArgs = new("combinations", "iterable, r");
    private static readonly ArgParser CwrArgs = new("combinations_with_replacement", "iterable, r");
    private static readonly ArgParser PermutationsArgs = new("permutations", "iterable, r=None");

    /// <summary>PyNumber_Check: an int, float or complex, or an object with __index__, __int__ or __float__.</summary>
    private static bool IsNumber(PyObject o)
    {
        if (o is PyInt || o is PyFloat) return true;
        var t = o.Type;
        return t.Lookup(PyStr.Intern("__index__")) != null || t.Lookup(PyStr.Intern("__int__")) != null
            || t.Lookup(PyStr.Intern("__float__")) != null || t.Name == "complex";
    }

    private const string StopMessage = "Stop argument for islice() must be None or an integer: 0 <= x <= sys.maxsize.";

    /// <summary>islice(iterable, stop) / islice(iterable, start, stop[, step]): CPython's checks, in its order.</summary>
    private static PyObject NewISlice(PyType cls, ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        ArgParser.CheckPositional("islice", a, k, 2, 4);
        long start = 0, stop = -1, step = 1;
        if (a.Length == 2)
        {
            if (a[1] != PyNone.Instance) { stop = SsizeOrMinusOne(a[1]); if (stop == -1) throw Ops.ValueError(StopMessage); }
        }
        else
        {
            if (a[1] != PyNone.Instance) start = SsizeOrMinusOne(a[1]);
            if (a[2] != PyNone.Instance) { stop = SsizeOrMinusOne(a[2]); if (stop == -1) throw Ops.ValueError(StopMessage); }
        }
        if (start < 0 || stop < -1) throw Ops.ValueError("Indices for islice() must be None or an integer: 0 <= x <= sys.maxsize.");
        if (a.Length == 4 && a[3] != PyNone.Instance) step = SsizeOrMinusOne(a[3]);
        if (step < 1) throw Ops.ValueError("Step for islice() must be a positive integer or None.");
        return new ISliceIterator(cls, Ops.GetIter(a[0]), start, stop, step);
    }

    /// <summary>The value as a Py_ssize_t, or -1 when it is not an integer or does not fit (the caller's message
    /// replaces the error, as CPython's islice does).</summary>
    private static long SsizeOrMinusOne(PyObject o)
    {
        try { return ArgParser.ToSsize(o); }
        catch (PyException) { return -1; }
    }

    /// <summary>Base of the itertools iterators: the (sub)type given to <c>__new__</c>, and a <c>__dict__</c> for
    /// instances of Python subclasses.</summary>
    private abstract class ItertoolsIterator : PyObject
    {
        private readonly PyType _type;
        private PyDict? _dict;
        protected ItertoolsIterator(PyType type) { _type = type; }
        public sealed override PyType Type => _type;
        public override PyDict? Dict => _type.IsHeap ? _dict ??= new PyDict() : null;
        public sealed override PyObject Iter() => this;
    }

    private sealed class CountIterator : ItertoolsIterator
    {
        private PyObject _count;
        private readonly PyObject _step;
        // fast mode: both small ints and the sum fits (CPython's cnt != PY_SSIZE_T_MAX mode); else generic addition
        private long _fast;
        private bool _isFast;
        private readonly long _fastStep;

        public CountIterator(PyType type, PyObject start, PyObject step) : base(type)
        {
            _count = start;
            _step = step;
            if (start is PyInt s && !s.IsBig && s.Type == PyInt.TypeObj && step is PyInt st && !st.IsBig && st.Type == PyInt.TypeObj)
            {
                _isFast = true; _fast = s.V; _fastStep = st.V;
            }
        }

        public override PyObject? Next()
        {
            if (_isFast)
            {
                long v = _fast;
                long next;
                try { next = checked(v + _fastStep); }
                catch (OverflowException) { _isFast = false; _count = PyInt.Get(new BigInteger(v) + _fastStep); return PyInt.Get(v); }
                _fast = next;
                return PyInt.Get(v);
            }
            var r = _count;
            _count = Ops.BinaryOp(r, _step, Runtime.BinOp.Add);
            return r;
        }

        public override string Repr()
        {
            var current = _isFast ? PyInt.Get(_fast) : _count;
            string name = Type.Name;
            if (_step is PyInt one && one.Type == PyInt.TypeObj && !one.IsBig && one.V == 1) return $"{name}({Ops.Repr(current)})";
            return $"{name}({Ops.Repr(current)}, {Ops.Repr(_step)})";
        }
    }

    private sealed class CycleIterator : ItertoolsIterator
    {
        private PyObject? _it;
        private readonly List<PyObject> _saved = new();
        private int _index;
        private bool _firstPass = true;
        public CycleIterator(PyType type, PyObject it) : base(type) { _it = it; }

        public override PyObject? Next()
        {
            if (_it != null)
            {
                var item = Ops.Next(_it);
                if (item != null)
                {
                    if (_firstPass) _saved.Add(item);
                    return item;
                }
                _it = null;
                _firstPass = false;
            }
            if (_saved.Count == 0) return null;
            var r = _saved[_index];
            _index++;
            if (_index >= _saved.Count) _index = 0;
            return r;
        }
    }

    private sealed class RepeatIterator : ItertoolsIterator
    {
        private readonly PyObject _element;
        public long Times; // -1: forever
        public RepeatIterator(PyType type, PyObject element, long times) : base(type) { _element = element; Times = times; }

        public override PyObject? Next()
        {
            if (Times == 0) return null;
            if (Times > 0) Times--;
            return _element;
        }

        public override string Repr() =>
            Times < 0 ? $"{Type.Name}({Ops.Repr(_element)})" : $"{Type.Name}({Ops.Repr(_element)}, {Times})";
    }

    private sealed class AccumulateIterator : ItertoolsIterator
    {
        private readonly PyObject _it;
        private readonly PyObject? _func;
        private PyObject? _total, _initial;
        public AccumulateIterator(PyType type, PyObject it, PyObject? func, PyObject? initial) : base(type)
        {
            _it = it; _func = func; _initial = initial;
        }

        public override PyObject? Next()
        {
            if (_initial != null)
            {
                _total = _initial;
                _initial = null;
                return _total;
            }
            var v = Ops.Next(_it);
            if (v == null) return null;
            _total = _total == null ? v : _func == null ? Ops.BinaryOp(_total, v, Runtime.BinOp.Add) : Ops.CallArgs(_func, _total, v);
            return _total;
        }
    }

    private sealed class ChainIterator : ItertoolsIterator
    {
        private PyObject? _source, _active;
        public ChainIterator(PyType type, PyObject source) : base(type) { _source = source; }

        public override PyObject? Next()
        {
            while (_source != null)
            {
                if (_active == null)
                {
                    var iterable = Ops.Next(_source);
                    if (iterable == null) { _source = null; return null; }
                    try { _active = Ops.GetIter(iterable); }
                    catch { _source = null; throw; }
                }
                var item = Ops.Next(_active);
                if (item != null) return item;
                _active = null;
            }
            return null;
        }
    }

    private sealed class CompressIterator : ItertoolsIterator
    {
        private readonly PyObject _data, _selectors;
        public CompressIterator(PyType type, PyObject data, PyObject selectors) : base(type) { _data = data; _selectors = selectors; }

        public override PyObject? Next()
        {
            while (true)
            {
                var datum = Ops.Next(_data);
                if (datum == null) return null;
                var selector = Ops.Next(_selectors);
                if (selector == null) return null;
                if (Ops.IsTrue(selector)) return datum;
            }
        }
    }

    private sealed class PredicateIterator : ItertoolsIterator
    {
        public enum Kind : byte { DropWhile, TakeWhile, FilterFalse }
        private readonly Kind _kind;
        private readonly PyObject _func, _it;
        private bool _done; // dropwhile: dropping is over; takewhile: stopped

        public PredicateIterator(PyType type, Kind kind, PyObject func, PyObject it) : base(type) { _kind = kind; _func = func; _it = it; }

        public override PyObject? Next()
        {
            switch (_kind)
            {
                case Kind.DropWhile:
                    while (true)
                    {
                        var item = Ops.Next(_it);
                        if (item == null) return null;
                        if (_done) return item;
                        if (!Ops.IsTrue(Ops.Call1(_func, item))) { _done = true; return item; }
                    }
                case Kind.TakeWhile:
                {
                    if (_done) return null;
                    var item = Ops.Next(_it);
                    if (item == null) return null;
                    if (Ops.IsTrue(Ops.Call1(_func, item))) return item;
                    _done = true;
                    return null;
                }
                default:
                    while (true)
                    {
                        var item = Ops.Next(_it);
                        if (item == null) return null;
                        bool ok = _func == PyNone.Instance || _func == PyBool.TypeObj ? Ops.IsTrue(item) : Ops.IsTrue(Ops.Call1(_func, item));
                        if (!ok) return item;
                    }
            }
        }
    }

    /// <summary>groupby: the groups share the parent's current value, as CPython's (a grouper that is not the
    /// current one is exhausted).</summary>
    private sealed class GroupByIterator : ItertoolsIterator
    {
        private readonly PyObject _it;
        private readonly PyObject? _keyFunc;
        internal PyObject? TargetKey, CurrentKey, CurrentValue;
        internal GrouperIterator? CurrentGrouper;

        public GroupByIterator(PyType type, PyObject it, PyObject? keyFunc) : base(type) { _it = it; _keyFunc = keyFunc; }

        /// <summary>Advance to the next value; false when the underlying iterator is exhausted.</summary>
        internal bool Step()
        {
            var value = Ops.Next(_it);
            if (value == null) return false;
            var key = _keyFunc == null ? value : Ops.Call1(_keyFunc, value);
            CurrentValue = value;
            CurrentKey = key;
            return true;
        }

        public override PyObject? Next()
        {
            CurrentGrouper = null;
            while (true)
            {
                if (CurrentKey == null) { }
                else if (TargetKey == null) break;
                else if (!Ops.Eq(TargetKey, CurrentKey)) break;
                if (!Step()) return null;
            }
            TargetKey = CurrentKey;
            var grouper = new GrouperIterator(T.Grouper, this, TargetKey!);
            CurrentGrouper = grouper;
            return new PyTuple(new PyObject[] { CurrentKey!, grouper });
        }
    }

    private sealed class GrouperIterator : ItertoolsIterator
    {
        private readonly GroupByIterator _parent;
        private readonly PyObject _targetKey;
        public GrouperIterator(PyType type, GroupByIterator parent, PyObject targetKey) : base(type) { _parent = parent; _targetKey = targetKey; }

        public override PyObject? Next()
        {
            var gb = _parent;
            if (gb.CurrentGrouper != this) return null;
            if (gb.CurrentValue == null && !gb.Step()) return null;
            if (!Ops.Eq(_targetKey, gb.CurrentKey!)) return null;
            var r = gb.CurrentValue!;
            gb.CurrentValue = null;
            return r;
        }
    }

    private sealed class ISliceIterator : ItertoolsIterator
    {
        private PyObject? _it;
        private long _next, _count;
        private readonly long _stop, _step;
        public ISliceIterator(PyType type, PyObject it, long start, long stop, long step) : base(type)
        {
            _it = it; _next = start; _stop = stop; _step = step;
        }

        public override PyObject? Next()
        {
            if (_it == null) return null;
            while (_count < _next)
            {
                if (Ops.Next(_it) == null) { _it = null; return null; }
                _count++;
            }
            if (_stop != -1 && _count >= _stop) { _it = null; return null; }
            var item = Ops.Next(_it);
            if (item == null) { _it = null; return null; }
            _count++;
            long old = _next;
            _next = unchecked(_next + _step);
            if (_next < old || (_stop != -1 && _next > _stop)) _next = _stop;
            return item;
        }
    }

    private sealed class StarMapIterator : ItertoolsIterator
    {
        private readonly PyObject _func, _it;
        public StarMapIterator(PyType type, PyObject func, PyObject it) : base(type) { _func = func; _it = it; }

        public override PyObject? Next()
        {
            var args = Ops.Next(_it);
            if (args == null) return null;
            return Ops.Call(_func, Ops.ToArray(args));
        }
    }

    /// <summary>The values tee'd iterators share: chunks of 57 (CPython's LINKCELLS), linked, so values every copy
    /// has passed are freed.</summary>
    private sealed class TeeData
    {
        public const int Cells = 57;
        public readonly PyObject Iterator;
        public readonly PyObject[] Values = new PyObject[Cells];
        public int NumRead;
        public bool Running;
        public TeeData? NextLink;
        public TeeData(PyObject iterator) { Iterator = iterator; }

        public PyObject? Get(int i)
        {
            if (i < NumRead) return Values[i];
            if (Running) throw Ops.RuntimeError("cannot re-enter the tee iterator");
            Running = true;
            PyObject? value;
            try { value = Ops.Next(Iterator); }
            finally { Running = false; }
            if (value == null) return null;
            Values[NumRead++] = value;
            return value;
        }

        public TeeData Next() => NextLink ??= new TeeData(Iterator);
    }

    private sealed class TeeIterator : ItertoolsIterator
    {
        private TeeData _data;
        private int _index;
        public TeeIterator(PyType type, TeeData data, int index) : base(type) { _data = data; _index = index; }

        public TeeIterator Copy() => new(T.Tee, _data, _index);

        public override PyObject? Next()
        {
            if (_index >= TeeData.Cells)
            {
                _data = _data.Next();
                _index = 0;
            }
            var value = _data.Get(_index);
            if (value == null) return null;
            _index++;
            return value;
        }
    }

    private sealed class ZipLongestIterator : ItertoolsIterator
    {
        private readonly PyObject?[] _its;
        private int _active;
        private readonly PyObject _fill;
        public ZipLongestIterator(PyType type, PyObject?[] its, PyObject fill) : base(type) { _its = its; _active = its.Length; _fill = fill; }

        public override PyObject? Next()
        {
            if (_its.Length == 0 || _active == 0) return null;
            var result = new PyObject[_its.Length];
            for (int i = 0; i < _its.Length; i++)
            {
                var it = _its[i];
                if (it == null) { result[i] = _fill; continue; }
                PyObject? item;
                try { item = Ops.Next(it); }
                catch { _active = 0; throw; }
                if (item == null)
                {
                    _active--;
                    if (_active == 0) return null;
                    _its[i] = null;
                    item = _fill;
                }
                result[i] = item;
            }
            return new PyTuple(result);
        }
    }

    private sealed class PairwiseIterator : ItertoolsIterator
    {
        private PyObject? _it, _old;
        public PairwiseIterator(PyType type, PyObject it) : base(type) { _it = it; }

        public override PyObject? Next()
        {
            if (_it == null) return null;
            if (_old == null)
            {
                _old = Ops.Next(_it);
                if (_old == null) { _it = null; return null; }
            }
            var next = Ops.Next(_it);
            if (next == null) { _it = null; _old = null; return null; }
            var r = new PyTuple(new PyObject[] { _old, next });
            _old = next;
            return r;
        }
    }

    private sealed class ProductIterator : ItertoolsIterator
    {
        private readonly PyObject[][] _pools;
        private int[]? _indices;
        private bool _stopped;
        public ProductIterator(PyType type, PyObject[][] pools) : base(type)
        {
            _pools = pools;
            foreach (var p in pools) if (p.Length == 0) _stopped = true;
        }

        public override PyObject? Next()
        {
            if (_stopped) return null;
            int n = _pools.Length;
            if (_indices == null)
            {
                _indices = new int[n];
            }
            else
            {
                if (n == 0) { _stopped = true; return null; }
                int i = n - 1;
                for (; i >= 0; i--)
                {
                    _indices[i]++;
                    if (_indices[i] < _pools[i].Length) break;
                    _indices[i] = 0;
                }
                if (i < 0) { _stopped = true; return null; }
            }
            var result = new PyObject[n];
            for (int i = 0; i < n; i++) result[i] = _pools[i][_indices[i]];
            return new PyTuple(result);
        }
    }

    /// <summary>combinations, combinations_with_replacement and permutations: CPython's index algorithms, in
    /// lexicographic order of positions.</summary>
    private sealed class CombinatoricIterator : ItertoolsIterator
    {
        public enum Kind : byte { Combinations, WithReplacement, Permutations }
        private readonly Kind _kind;
        private readonly PyObject[] _pool;
        private readonly int _r;
        private int[]? _indices, _cycles;
        private bool _stopped;

        public CombinatoricIterator(PyType type, Kind kind, PyObject[] pool, long r) : base(type)
        {
            _kind = kind; _pool = pool;
            int n = pool.Length;
            _stopped = kind == Kind.WithReplacement ? n == 0 && r > 0 : r > n;
            _r = _stopped ? 0 : (int)r;
        }

        private PyTuple Result()
        {
            var result = new PyObject[_r];
            for (int i = 0; i < _r; i++) result[i] = _pool[_indices![i]];
            return new PyTuple(result);
        }

        public override PyObject? Next()
        {
            if (_stopped) return null;
            int n = _pool.Length, r = _r;
            if (_indices == null)
            {
                switch (_kind)
                {
                    case Kind.Combinations:
                        _indices = new int[r];
                        for (int i = 0; i < r; i++) _indices[i] = i;
                        break;
                    case Kind.WithReplacement:
                        _indices = new int[r];
                        break;
                    default:
                        _indices = new int[n];
                        for (int i = 0; i < n; i++) _indices[i] = i;
                        _cycles = new int[r];
                        for (int i = 0; i < r; i++) _cycles[i] = n - i;
                        break;
                }
                return Result();
            }
            var idx = _indices;
            switch (_kind)
            {
                case Kind.Combinations:
                {
                    int i = r - 1;
                    while (i >= 0 && idx[i] == i + n - r) i--;
                    if (i < 0) { _stopped = true; return null; }
                    idx[i]++;
                    for (int j = i + 1; j < r; j++) idx[j] = idx[j - 1] + 1;
                    return Result();
                }
                case Kind.WithReplacement:
                {
                    int i = r - 1;
                    while (i >= 0 && idx[i] == n - 1) i--;
                    if (i < 0) { _stopped = true; return null; }
                    int index = idx[i] + 1;
                    for (int j = i; j < r; j++) idx[j] = index;
                    return Result();
                }
                default:
                {
                    if (n == 0) { _stopped = true; return null; }
                    var cycles = _cycles!;
                    int i = r - 1;
                    for (; i >= 0; i--)
                    {
                        cycles[i]--;
                        if (cycles[i] == 0)
                        {
                            int first = idx[i];
                            Array.Copy(idx, i + 1, idx, i, n - i - 1);
                            idx[n - 1] = first;
                            cycles[i] = n - i;
                        }
                        else
                        {
                            int j = cycles[i];
                            (idx[i], idx[n - j]) = (idx[n - j], idx[i]);
                            break;
                        }
                    }
                    if (i < 0) { _stopped = true; return null; }
                    return Result();
                }
            }
        }
    }
}
