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
            Cycle = Make("cycle", (cls, a, k) =>
            {
                a = a.Slice(0, Positional("cycle", cls, a.Length, ref k));
                ArgParser.CheckPositional("cycle", a, k, 1, 1);
                return new CycleIterator(cls, Ops.GetIter(a[0]));
            });
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
                a = a.Slice(0, Positional("chain", cls, a.Length, ref k));
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
                a = a.Slice(0, Positional("dropwhile", cls, a.Length, ref k));
                var args = DropWhileArgs.Parse(a, k);
                return new PredicateIterator(cls, PredicateIterator.Kind.DropWhile, args[0]!, Ops.GetIter(args[1]!));
            });
            TakeWhile = Make("takewhile", (cls, a, k) =>
            {
                a = a.Slice(0, Positional("takewhile", cls, a.Length, ref k));
                var args = TakeWhileArgs.Parse(a, k);
                return new PredicateIterator(cls, PredicateIterator.Kind.TakeWhile, args[0]!, Ops.GetIter(args[1]!));
            });
            FilterFalse = Make("filterfalse", (cls, a, k) =>
            {
                a = a.Slice(0, Positional("filterfalse", cls, a.Length, ref k));
                var args = FilterFalseArgs.Parse(a, k);
                return new PredicateIterator(cls, PredicateIterator.Kind.FilterFalse, args[0]!, Ops.GetIter(args[1]!));
            });
            Grouper = Make("_grouper", GrouperIterator.New);
            GroupBy = Make("groupby", (cls, a, k) =>
            {
                var args = GroupByArgs.Parse(a, k);
                var key = args.Get(1);
                return new GroupByIterator(cls, Ops.GetIter(args[0]!), key == PyNone.Instance ? null : key);
            });
            ISlice = Make("islice", (cls, a, k) => NewISlice(cls, a, k));
            StarMap = Make("starmap", (cls, a, k) =>
            {
                a = a.Slice(0, Positional("starmap", cls, a.Length, ref k));
                var args = StarMapArgs.Parse(a, k);
                return new StarMapIterator(cls, args[0]!, Ops.GetIter(args[1]!));
            });
            Tee = Make("_tee", (cls, a, k) =>
            {
                a = a.Slice(0, Positional("_tee", cls, a.Length, ref k));
                ArgParser.CheckPositional("_tee", a, k, 1, 1);
                var it = Ops.GetIter(a[0]);
                return it is TeeIterator t ? t.Copy() : new TeeIterator(cls, new TeeData(it), 0);
            });
            Tee.AddMethod("__copy__", (a, k) => ((TeeIterator)a[0]).Copy());
            TeeDataObject = new PyType("_tee_dataobject", PyType.ObjectType, TeeData.New) { ModuleName = "itertools" };
            TeeDataObject.AddMethod("__reduce__", (a, k) =>
            {
                ArgParser.NoArgs("__reduce__", a.Slice(1), k);
                return (a[0] as TeeData ?? throw Descriptor("__reduce__", "itertools._tee_dataobject", a[0])).Reduce();
            });
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
            Pairwise = Make("pairwise", (cls, a, k) =>
            {
                a = a.Slice(0, Positional("pairwise", cls, a.Length, ref k));
                ArgParser.CheckPositional("pairwise", a, k, 1, 1);
                return new PairwiseIterator(cls, Ops.GetIter(a[0]));
            });
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
            foreach (var t in new[]
            {
                Accumulate, Chain, Combinations, CombinationsWithReplacement, Compress, Count, Cycle, DropWhile,
                FilterFalse, GroupBy, Grouper, ISlice, Pairwise, Permutations, Product, Repeat, StarMap, TakeWhile, Tee,
                ZipLongest,
            })
            {
                string qual = "itertools." + t.Name;
                t.AddMethod("__reduce__", (a, k) =>
                {
                    ArgParser.NoArgs("__reduce__", a.Slice(1), k);
                    return Self(a[0], "__reduce__", qual).Reduce();
                });
            }
            // the types CPython 3.11 gives a __setstate__
            foreach (var t in new[]
            {
                Accumulate, Chain, Combinations, CombinationsWithReplacement, Cycle, DropWhile, GroupBy, ISlice,
                Permutations, Product, TakeWhile, Tee, ZipLongest,
            })
            {
                string qual = "itertools." + t.Name;
                t.AddMethod("__setstate__", (a, k) =>
                {
                    ArgParser.NoKeywords("__setstate__", k);
                    if (a.Length != 2) throw Ops.TypeError($"{t.Name}.__setstate__() takes exactly one argument ({a.Length - 1} given)");
                    Self(a[0], "__setstate__", qual).SetState(a[1]);
                    return PyNone.Instance;
                });
            }
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

        private static ItertoolsIterator Self(PyObject o, string method, string typeName) =>
            o as ItertoolsIterator ?? throw Descriptor(method, typeName, o);

        private static PyException Descriptor(string method, string typeName, PyObject o) =>
            Ops.TypeError($"descriptor '{method}' for '{typeName}' objects doesn't apply to a '{o.Type.Name}' object");

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
        a = a.Slice(0, Positional("islice", cls, a.Length, ref k));
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

    /// <summary>Argument Clinic's rule for a positional-only <c>__new__</c>: keywords are refused ("cycle() takes no
    /// keyword arguments") unless the type is a subclass with an <c>__init__</c> of its own, which receives them;
    /// <c>__new__</c> then parses the positional arguments only (their count is returned).</summary>
    private static int Positional(string name, PyType cls, int count, ref PyStr[]? k)
    {
        if (k == null || k.Length == 0) return count;
        if (!cls.IsHeap || ReferenceEquals(cls.Lookup(PyStr.S___init__), PyType.ObjectInit))
            throw Ops.TypeError($"{name}() takes no keyword arguments");
        int positional = count - k.Length;
        k = null;
        return positional;
    }

    // ---------------- pickling helpers (CPython 3.11's __reduce__/__setstate__ results and checks) ----------------

    private static PyTuple Tuple(params PyObject[] items) => new(items);

    private static PyObject OrNone(PyObject? o) => o ?? PyNone.Instance;

    /// <summary>The tuple a <c>__setstate__</c> takes: "state is not a tuple" otherwise.</summary>
    private static PyObject[] StateTuple(PyObject state)
    {
        if (state is not PyTuple t) throw Ops.TypeError("state is not a tuple");
        return t.Items;
    }

    /// <summary>PyArg_ParseTuple's count check (no function name): "function takes exactly 2 arguments (1 given)".</summary>
    private static void StateCount(PyObject[] items, int min, int max)
    {
        int n = items.Length;
        if (n >= min && n <= max) return;
        int bound = n < min ? min : max;
        string how = min == max ? "exactly" : n < min ? "at least" : "at most";
        throw Ops.TypeError($"function takes {how} {bound} argument{(bound == 1 ? "" : "s")} ({n} given)");
    }

    /// <summary>PyArg_ParseTuple's "O!" check: "argument 1 must be list, not tuple".</summary>
    private static T StateItem<T>(PyObject[] items, int i, string typeName) where T : PyObject =>
        items[i] as T ?? throw Ops.TypeError($"argument {i + 1} must be {typeName}, not {items[i].Type.Name}");

    /// <summary>PyIter_Check: the object's type has <c>__next__</c>.</summary>
    private static bool IsIterator(PyObject o) => Ops.IsIterator(o);

    /// <summary>A tuple of indices in a <c>__setstate__</c> (PyLong_AsSsize_t on each).</summary>
    private static long IndexAt(PyObject[] items, int i) => ArgParser.ToSsize(items[i]);

    private static PyTuple IndexTuple(int[] values, int count)
    {
        var r = new PyObject[count];
        for (int i = 0; i < count; i++) r[i] = PyInt.Get(values[i]);
        return new PyTuple(r);
    }

    /// <summary>Base of the itertools iterators: the (sub)type given to <c>__new__</c>, and a <c>__dict__</c> for
    /// instances of Python subclasses. Types that pickle override <see cref="Reduce"/> (and <see cref="SetState"/>).</summary>
    private abstract class ItertoolsIterator : PyObject
    {
        private readonly PyType _type;
        private PyDict? _dict;
        protected ItertoolsIterator(PyType type) { _type = type; }
        public sealed override PyType Type => _type;
        public override PyDict? Dict => _type.IsHeap ? _dict ??= new PyDict() : null;
        public sealed override PyObject Iter() => this;
        public virtual PyObject Reduce() => throw Ops.TypeError($"cannot pickle 'itertools.{BaseName()}' object");
        public virtual void SetState(PyObject state) => throw Ops.AttributeError($"'{Type.Name}' object has no attribute '__setstate__'");

        private string BaseName()
        {
            var t = _type;
            while (t.IsHeap && t.Bases.Length > 0) t = t.Bases[0];
            return t.Name;
        }
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

        private PyObject Current => _isFast ? PyInt.Get(_fast) : _count;
        private bool StepIsIntOne => _step is PyInt one && one.Type == PyInt.TypeObj && !one.IsBig && one.V == 1;

        public override string Repr()
        {
            string name = Type.Name;
            if (StepIsIntOne) return $"{name}({Ops.Repr(Current)})";
            return $"{name}({Ops.Repr(Current)}, {Ops.Repr(_step)})";
        }

        // CPython's fast mode (an int start that fits, step 1) pickles the count alone; the slow mode both.
        public override PyObject Reduce() => _isFast && StepIsIntOne
            ? Tuple(Type, Tuple(Current))
            : Tuple(Type, Tuple(Current, _step));
    }

    /// <summary>cycle, as CPython's: the saved list is a Python list (pickled and restored as it is), and
    /// <c>firstpass</c> means "the saved list already holds what the iterator will give" (a restored state).</summary>
    private sealed class CycleIterator : ItertoolsIterator
    {
        private PyObject? _it;
        private PyList _saved = new();
        private int _index;
        private bool _firstPass;
        public CycleIterator(PyType type, PyObject it) : base(type) { _it = it; }

        public override PyObject? Next()
        {
            if (_it != null)
            {
                var item = Ops.Next(_it);
                if (item != null)
                {
                    if (!_firstPass) _saved.Append(item);
                    return item;
                }
                _it = null;
            }
            if (_saved.Count == 0) return null;
            if (_index >= _saved.Count) _index = 0;
            var r = _saved.Items[_index];
            _index++;
            if (_index >= _saved.Count) _index = 0;
            return r;
        }

        public override PyObject Reduce()
        {
            if (_it == null)
            {
                // an iterator over the saved list, advanced to where the cycle is
                var it = Ops.GetIter(_saved);
                for (int i = 0; i < _index; i++) Ops.Next(it);
                return Tuple(Type, Tuple(it), Tuple(_saved, PyBool.True));
            }
            return Tuple(Type, Tuple(_it), Tuple(_saved, PyBool.Of(_firstPass)));
        }

        public override void SetState(PyObject state)
        {
            var items = StateTuple(state);
            StateCount(items, 2, 2);
            var saved = StateItem<PyList>(items, 0, "list");
            // the second item is 1/0 in old pickles and True/False in new ones
            int firstPass = ArgParser.ToCInt(items[1]);
            _saved = saved;
            _firstPass = firstPass != 0;
            _index = 0;
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

        public override PyObject Reduce() => Times >= 0
            ? Tuple(Type, Tuple(_element, PyInt.Get(Times)))
            : Tuple(Type, Tuple(_element));
    }

    private sealed class AccumulateIterator : ItertoolsIterator
    {
        private readonly PyObject _it;
        private readonly PyObject? _func;
        // _total null: nothing produced yet (CPython's NULL; a restored state may set it to None, a value)
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

        public override PyObject Reduce()
        {
            var func = OrNone(_func);
            if (_initial != null)
            {
                // the initial value not given yet: chain it in front of the rest
                var chain = Ops.Call(T.Chain, new PyObject[] { Tuple(_initial), _it });
                return Tuple(Type, Tuple(chain, func), PyNone.Instance);
            }
            if (_total == PyNone.Instance)
            {
                // None is a value here, and a None state means "no state": restart from None and drop it
                var chain = Ops.Call(T.Chain, new PyObject[] { Tuple(_total), _it });
                var again = Ops.Call(Type, new PyObject[] { chain, func });
                return Tuple(T.ISlice, Tuple(again, PyInt.One, PyNone.Instance));
            }
            return Tuple(Type, Tuple(_it, func), OrNone(_total));
        }

        public override void SetState(PyObject state) => _total = state;
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

        public override PyObject Reduce()
        {
            if (_source == null) return Tuple(Type, PyTuple.Empty); // exhausted
            return _active != null
                ? Tuple(Type, PyTuple.Empty, Tuple(_source, _active))
                : Tuple(Type, PyTuple.Empty, Tuple(_source));
        }

        public override void SetState(PyObject state)
        {
            var items = StateTuple(state);
            StateCount(items, 1, 2);
            var source = items[0];
            var active = items.Length > 1 ? items[1] : null;
            if (!IsIterator(source) || (active != null && !IsIterator(active))) throw Ops.TypeError("Arguments must be iterators.");
            _source = source;
            _active = active;
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

        public override PyObject Reduce() => Tuple(Type, Tuple(_data, _selectors));
    }

    private sealed class PredicateIterator : ItertoolsIterator
    {
        public enum Kind : byte { DropWhile, TakeWhile, FilterFalse }
        private readonly Kind _kind;
        private readonly PyObject _func, _it;
        private bool _done; // dropwhile: dropping is over (CPython's start); takewhile: stopped (its stop)

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

        public override PyObject Reduce() => _kind == Kind.FilterFalse
            ? Tuple(Type, Tuple(_func, _it))
            : Tuple(Type, Tuple(_func, _it), PyInt.Get(_done ? 1 : 0));

        public override void SetState(PyObject state) => _done = Ops.IsTrue(state);
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
            return new PyTuple(new PyObject[] { CurrentKey!, grouper });
        }

        public override PyObject Reduce()
        {
            var args = Tuple(_it, OrNone(_keyFunc));
            if (TargetKey != null && CurrentKey != null && CurrentValue != null)
                return Tuple(Type, args, Tuple(CurrentKey, CurrentValue, TargetKey));
            return Tuple(Type, args);
        }

        public override void SetState(PyObject state)
        {
            var items = StateTuple(state);
            StateCount(items, 3, 3);
            CurrentKey = items[0];
            CurrentValue = items[1];
            TargetKey = items[2];
        }
    }

    private sealed class GrouperIterator : ItertoolsIterator
    {
        private readonly GroupByIterator _parent;
        private readonly PyObject _targetKey;

        /// <summary>A new group of <paramref name="parent"/>, which becomes its current one (CPython's _grouper_create).</summary>
        public GrouperIterator(PyType type, GroupByIterator parent, PyObject targetKey) : base(type)
        {
            _parent = parent; _targetKey = targetKey;
            parent.CurrentGrouper = this;
        }

        public static PyObject New(PyType cls, ReadOnlySpan<PyObject> a, PyStr[]? k)
        {
            ArgParser.CheckPositional("_grouper", a, k, 2, 2);
            if (a[0] is not GroupByIterator parent)
                throw Ops.TypeError($"_grouper() argument 1 must be itertools.groupby, not {a[0].Type.Name}");
            return new GrouperIterator(cls, parent, a[1]);
        }

        public override PyObject? Next()
        {
            var gb = _parent;
            if (gb.CurrentGrouper != this) return null;
            if (gb.CurrentValue == null && !gb.Step()) return null;
            if (!Ops.Eq(_targetKey, gb.CurrentKey!)) return null;
            var r = gb.CurrentValue!;
            gb.CurrentValue = null;
            gb.CurrentKey = null;
            return r;
        }

        public override PyObject Reduce() => _parent.CurrentGrouper != this
            ? Tuple(Builtins.Interp.Builtin("iter"), Tuple(PyTuple.Empty))
            : Tuple(Type, Tuple(_parent, _targetKey));
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

        // a new islice with the same bounds, then __setstate__ with the count
        public override PyObject Reduce()
        {
            if (_it == null) return Tuple(Type, Tuple(Ops.GetIter(new PyList()), PyInt.Zero), PyInt.Zero);
            var stop = _stop == -1 ? (PyObject)PyNone.Instance : PyInt.Get(_stop);
            return Tuple(Type, Tuple(_it, PyInt.Get(_next), stop, PyInt.Get(_step)), PyInt.Get(_count));
        }

        public override void SetState(PyObject state) => _count = ArgParser.ToSsize(state);
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

        public override PyObject Reduce() => Tuple(Type, Tuple(_func, _it));
    }

    /// <summary>The values tee'd iterators share (CPython's <c>_tee_dataobject</c>): chunks of 57 (LINKCELLS),
    /// linked, so values every copy has passed are freed.</summary>
    private sealed class TeeData : PyObject
    {
        public const int Cells = 57;
        public readonly PyObject Iterator;
        public readonly PyObject[] Values = new PyObject[Cells];
        public int NumRead;
        public bool Running;
        public TeeData? NextLink;
        public TeeData(PyObject iterator) { Iterator = iterator; }

        public override PyType Type => T.TeeDataObject;

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

        public TeeData NextData() => NextLink ??= new TeeData(Iterator);

        public PyObject Reduce()
        {
            var values = new PyList();
            for (int i = 0; i < NumRead; i++) values.Append(Values[i]);
            return Tuple(Type, Tuple(Iterator, values, OrNone(NextLink)));
        }

        /// <summary>_tee_dataobject(iterable, values, next): a restored chunk ("Invalid arguments" when the values do
        /// not fit or a chunk that is not full has a next one).</summary>
        public static PyObject New(PyType cls, ReadOnlySpan<PyObject> a, PyStr[]? k)
        {
            ArgParser.CheckPositional("teedataobject", a, k, 3, 3);
            if (a[1] is not PyList values) throw Ops.TypeError($"teedataobject() argument 2 must be list, not {a[1].Type.Name}");
            var next = a[2];
            var data = new TeeData(a[0]);
            if (values.Count > Cells) throw Ops.ValueError("Invalid arguments");
            for (int i = 0; i < values.Count; i++) data.Values[i] = values.Items[i];
            data.NumRead = values.Count;
            if (next != PyNone.Instance)
            {
                if (values.Count != Cells || next is not TeeData link) throw Ops.ValueError("Invalid arguments");
                data.NextLink = link;
            }
            return data;
        }
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
                _data = _data.NextData();
                _index = 0;
            }
            var value = _data.Get(_index);
            if (value == null) return null;
            _index++;
            return value;
        }

        public override PyObject Reduce() => Tuple(Type, Tuple(PyTuple.Empty), Tuple(_data, PyInt.Get(_index)));

        public override void SetState(PyObject state)
        {
            var items = StateTuple(state);
            StateCount(items, 2, 2);
            var data = StateItem<TeeData>(items, 0, "itertools._tee_dataobject");
            int index = ArgParser.ToCInt(items[1]);
            if (index < 0 || index > TeeData.Cells) throw Ops.ValueError("Index out of range");
            _data = data;
            _index = index;
        }
    }

    private sealed class ZipLongestIterator : ItertoolsIterator
    {
        private readonly PyObject?[] _its;
        private int _active;
        private PyObject _fill;
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

        // the iterators (an exhausted one as an empty tuple), then __setstate__ with the fill value
        public override PyObject Reduce()
        {
            var args = new PyObject[_its.Length];
            for (int i = 0; i < args.Length; i++) args[i] = _its[i] ?? PyTuple.Empty;
            return Tuple(Type, new PyTuple(args), _fill);
        }

        public override void SetState(PyObject state) => _fill = state;
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
        private int[]? _indices; // null until the first result (CPython's result == NULL)
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

        public override PyObject Reduce()
        {
            if (_stopped) return Tuple(Type, Tuple(PyTuple.Empty));
            var pools = new PyObject[_pools.Length];
            for (int i = 0; i < pools.Length; i++) pools[i] = new PyTuple(_pools[i]);
            if (_indices == null) return Tuple(Type, new PyTuple(pools));
            return Tuple(Type, new PyTuple(pools), IndexTuple(_indices, _indices.Length));
        }

        public override void SetState(PyObject state)
        {
            int n = _pools.Length;
            if (state is not PyTuple t || t.Items.Length != n) throw Ops.ValueError("invalid arguments");
            var indices = new int[n];
            for (int i = 0; i < n; i++)
            {
                long index = IndexAt(t.Items, i);
                int size = _pools[i].Length;
                if (size == 0) { _stopped = true; return; }
                // clamp the index
                indices[i] = (int)Math.Clamp(index, 0, size - 1);
            }
            _indices = indices;
        }
    }

    /// <summary>combinations, combinations_with_replacement and permutations: CPython's index algorithms, in
    /// lexicographic order of positions.</summary>
    private sealed class CombinatoricIterator : ItertoolsIterator
    {
        public enum Kind : byte { Combinations, WithReplacement, Permutations }
        private readonly Kind _kind;
        private readonly PyObject[] _pool;
        private readonly long _r;
        private int[]? _indices, _cycles; // null until the first result (CPython's result == NULL)
        private bool _stopped;

        public CombinatoricIterator(PyType type, Kind kind, PyObject[] pool, long r) : base(type)
        {
            _kind = kind; _pool = pool; _r = r;
            int n = pool.Length;
            _stopped = kind == Kind.WithReplacement ? n == 0 && r > 0 : r > n;
        }

        private int R => (int)_r; // only read when not stopped: then r <= n (or n > 0 for with-replacement)

        private PyTuple Result()
        {
            var result = new PyObject[R];
            for (int i = 0; i < result.Length; i++) result[i] = _pool[_indices![i]];
            return new PyTuple(result);
        }

        public override PyObject? Next()
        {
            if (_stopped) return null;
            int n = _pool.Length, r = R;
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

        public override PyObject Reduce()
        {
            var r = PyInt.Get(_r);
            if (_indices == null) return Tuple(Type, Tuple(new PyTuple(_pool), r));
            if (_stopped) return Tuple(Type, Tuple(PyTuple.Empty, r));
            if (_kind != Kind.Permutations) return Tuple(Type, Tuple(new PyTuple(_pool), r), IndexTuple(_indices, R));
            return Tuple(Type, Tuple(new PyTuple(_pool), r), Tuple(IndexTuple(_indices, _pool.Length), IndexTuple(_cycles!, R)));
        }

        public override void SetState(PyObject state)
        {
            int n = _pool.Length;
            if (_kind == Kind.Permutations)
            {
                var items = StateTuple(state);
                StateCount(items, 2, 2);
                var indices = StateItem<PyTuple>(items, 0, "tuple").Items;
                var cycles = StateItem<PyTuple>(items, 1, "tuple").Items;
                if (indices.Length != n || cycles.Length != _r) throw Ops.ValueError("invalid arguments");
                if (_stopped) return;
                var idx = new int[n];
                for (int i = 0; i < n; i++) idx[i] = (int)Math.Clamp(IndexAt(indices, i), 0, n - 1);
                var cyc = new int[R];
                for (int i = 0; i < cyc.Length; i++) cyc[i] = (int)Math.Clamp(IndexAt(cycles, i), 1, n - i);
                _indices = idx;
                _cycles = cyc;
                return;
            }
            if (state is not PyTuple t || t.Items.Length != _r) throw Ops.ValueError("invalid arguments");
            if (_stopped) return;
            var ind = new int[R];
            for (int i = 0; i < ind.Length; i++)
            {
                long index = IndexAt(t.Items, i);
                // clamp the index (beware of a negative maximum)
                long max = _kind == Kind.Combinations ? i + n - _r : n - 1;
                if (index > max) index = max;
                if (index < 0) index = 0;
                ind[i] = (int)index;
            }
            _indices = ind;
        }
    }
}
