using System;
using System.Collections.Generic;

namespace Invisible.Python.Runtime;

/// <summary>PEP 654's BaseExceptionGroup and ExceptionGroup (CPython's Objects/exceptions.c): construction rules,
/// message/exceptions, str, derive, split and subgroup (matching by type, tuple of types or predicate, recursively,
/// the parts keeping the group's traceback, cause, context and notes).</summary>
internal static class ExceptionGroups
{
    public static PyType BaseExceptionGroupType = null!, ExceptionGroupType = null!;

    private static readonly PyStr SMessage = PyStr.Intern("message"), SExceptions = PyStr.Intern("exceptions"), SNotes = PyStr.Intern("__notes__");

    public static void Init(Func<string, PyType?, PyType> make)
    {
        var beg = BaseExceptionGroupType = make("BaseExceptionGroup", PyBaseException.BaseExceptionType);
        // ExceptionGroup(BaseExceptionGroup, Exception), as in CPython
        var eg = ExceptionGroupType = new PyType("ExceptionGroup", new[] { beg, PyBaseException.ExceptionType }, false) { New = New };
        PyBaseException.All["ExceptionGroup"] = eg;
        beg.New = New;
        beg.AddMethod("__init__", (a, k) => PyNone.Instance); // __new__ did the work; subclasses may pass other arguments
        beg.AddMethod("__str__", (a, k) =>
        {
            var self = (PyBaseException)a[0];
            int n = Exceptions(self).Items.Length;
            return new PyStr($"{Ops.Str(Message(self))} ({n} sub-exception{(n == 1 ? "" : "s")})");
        });
        beg.AddMethod("derive", (a, k) =>
        {
            if (a.Length != 2) throw Ops.TypeError($"derive() takes exactly one argument ({a.Length - 1} given)");
            return Create(BaseExceptionGroupType, new[] { Message((PyBaseException)a[0]), a[1] });
        });
        beg.AddMethod("split", (a, k) =>
        {
            if (a.Length != 2) throw Ops.TypeError($"split() takes exactly one argument ({a.Length - 1} given)");
            var self = (PyBaseException)a[0];
            var (match, rest) = Split(self, Matcher(a[1]), true);
            return new PyTuple(new PyObject[] { (PyObject?)match ?? PyNone.Instance, (PyObject?)rest ?? PyNone.Instance });
        });
        beg.AddMethod("subgroup", (a, k) =>
        {
            if (a.Length != 2) throw Ops.TypeError($"subgroup() takes exactly one argument ({a.Length - 1} given)");
            var (match, _) = Split((PyBaseException)a[0], Matcher(a[1]), false);
            return (PyObject?)match ?? PyNone.Instance;
        });
        beg.AddMethod("__class_getitem__", (a, k) => new PyGenericAlias((PyType)a[0], a[1]));
        beg.TypeDict.SetItem(PyStr.S___class_getitem__, new PyClassMethod(beg.TypeDict.GetOrNull(PyStr.S___class_getitem__)!));
    }

    public static PyObject Message(PyBaseException g) => g.Dict!.GetOrNull(SMessage) ?? PyNone.Instance;
    public static PyTuple Exceptions(PyBaseException g) => g.Dict!.GetOrNull(SExceptions) as PyTuple ?? PyTuple.Empty;

    private static PyObject New(PyType cls, ReadOnlySpan<PyObject> args, PyStr[]? kw)
    {
        int n = args.Length - (kw?.Length ?? 0);
        if (kw != null && kw.Length > 0) throw Ops.TypeError($"{cls.Name}() takes no keyword arguments");
        if (n != 2) throw Ops.TypeError($"BaseExceptionGroup.__new__() takes exactly 2 arguments ({n} given)");
        return Create(cls, args.Slice(0, 2).ToArray());
    }

    private static PyBaseException Create(PyType cls, PyObject[] args)
    {
        var message = args[0];
        if (message is not PyStr) throw Ops.TypeError($"BaseExceptionGroup.__new__() argument 1 must be str, not {message.Type.Name}");
        var excs = args[1];
        if (excs is PySet || excs is PyDict || excs is PyStr || !(excs is PyTuple || excs is PyList || Ops.HasAttr(excs, "__getitem__") && Ops.HasAttr(excs, "__len__")))
            throw Ops.TypeError("second argument (exceptions) must be a sequence");
        var items = Ops.ToArray(excs);
        if (items.Length == 0) throw Ops.ValueError("second argument (exceptions) must be a non-empty sequence");
        bool allExceptions = true;
        for (int i = 0; i < items.Length; i++)
        {
            if (items[i] is not PyBaseException be) throw Ops.ValueError($"Item {i} of second argument (exceptions) is not an exception");
            if (!be.Type.IsSubtypeOf(PyBaseException.ExceptionType)) allExceptions = false;
        }
        if (cls == BaseExceptionGroupType)
        {
            if (allExceptions) cls = ExceptionGroupType;
        }
        else if (cls == ExceptionGroupType)
        {
            if (!allExceptions) throw Ops.TypeError("Cannot nest BaseExceptions in an ExceptionGroup");
        }
        else if (!allExceptions && cls.IsSubtypeOf(PyBaseException.ExceptionType))
            throw Ops.TypeError($"Cannot nest BaseExceptions in '{cls.Name}'");
        var g = new PyBaseException(cls, new PyTuple(new[] { message, excs }));
        g.Dict!.SetItem(SMessage, message);
        g.Dict.SetItem(SExceptions, new PyTuple(items));
        return g;
    }

    /// <summary>The condition of split/subgroup: an exception type, a tuple of them, or a predicate.</summary>
    private static Func<PyBaseException, bool> Matcher(PyObject cond)
    {
        if (cond is PyType t && t.IsSubtypeOf(PyBaseException.BaseExceptionType)) return e => e.Type.IsSubtypeOf(t);
        if (cond is PyTuple tup)
        {
            foreach (var x in tup.Items)
                if (x is not PyType xt || !xt.IsSubtypeOf(PyBaseException.BaseExceptionType))
                    throw Ops.TypeError("expected a function, exception type or tuple of exception types");
            return e => Ops.IsInstance(e, tup);
        }
        if (cond.IsCallable && cond is not PyType) return e => Ops.IsTrue(Ops.Call1(cond, e));
        throw Ops.TypeError("expected a function, exception type or tuple of exception types");
    }

    private static bool IsGroup(PyBaseException e) => e.Type.IsSubtypeOf(BaseExceptionGroupType);

    private static (PyBaseException? match, PyBaseException? rest) Split(PyBaseException exc, Func<PyBaseException, bool> matches, bool wantRest)
    {
        if (matches(exc)) return (exc, null);
        if (!IsGroup(exc)) return (null, wantRest ? exc : null);
        var matchList = new List<PyObject>();
        var restList = new List<PyObject>();
        foreach (var item in Exceptions(exc).Items)
        {
            var (m, r) = Split((PyBaseException)item, matches, wantRest);
            if (m != null) matchList.Add(m);
            if (r != null) restList.Add(r);
        }
        var match = matchList.Count > 0 ? DeriveAndCopy(exc, matchList) : null;
        var rest = wantRest && restList.Count > 0 ? DeriveAndCopy(exc, restList) : null;
        return (match, rest);
    }

    // ---------------- except* (PEP 654): the eval loop's CHECK_EG_MATCH and PREP_RERAISE_STAR ----------------

    /// <summary>CHECK_EG_MATCH: split <paramref name="exc"/> (null: nothing left) by the except* clause's type(s).
    /// A naked exception that matches is wrapped in a group of its own, with its traceback.</summary>
    public static (PyBaseException? match, PyBaseException? rest) ExceptStarMatch(PyBaseException? exc, PyObject type)
    {
        CheckExceptStarType(type);
        if (exc == null) return (null, null);
        if (Ops.IsInstance(exc, type))
        {
            if (IsGroup(exc)) return (exc, null);
            var wrapped = Create(BaseExceptionGroupType, new PyObject[] { PyStr.Of(""), new PyTuple(new PyObject[] { exc }) });
            wrapped.SetTraceback(exc.TracebackObject());
            return (wrapped, null);
        }
        if (!IsGroup(exc)) return (null, exc);
        return Split(exc, Matcher(type), true);
    }

    private static void CheckExceptStarType(PyObject type)
    {
        var items = type is PyTuple t ? t.Items : new[] { type };
        foreach (var x in items)
        {
            if (x is not PyType xt || !xt.IsSubtypeOf(PyBaseException.BaseExceptionType))
                throw Ops.TypeError("catching classes that do not inherit from BaseException is not allowed");
            if (xt.IsSubtypeOf(BaseExceptionGroupType))
                throw Ops.TypeError("catching ExceptionGroup with except* is not allowed. Use except instead.");
        }
    }

    /// <summary>PREP_RERAISE_STAR: what leaves a try/except* once its clauses ran. <paramref name="raised"/>: what the
    /// clauses raised, then the unmatched rest (nulls/None skipped). Re-raised parts of <paramref name="orig"/> (same
    /// traceback, cause and context) keep orig's nesting; new exceptions join them in a new group. Null: nothing.</summary>
    public static PyBaseException? PrepReraiseStar(PyBaseException orig, PyList raised)
    {
        var items = raised.Items;
        int n = raised.Count;
        if (!IsGroup(orig))
        {
            // a naked exception was caught (wrapped): at most one clause ran, so at most one exception to raise
            for (int i = 0; i < n; i++) if (items[i] is PyBaseException e0) return e0;
            return null;
        }
        var origTb = orig.TracebackObject();
        var newRaised = new List<PyObject>();
        var keep = new HashSet<PyBaseException>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < n; i++)
        {
            if (items[i] is not PyBaseException e) continue;
            bool reraise = ReferenceEquals(e.TracebackObject(), origTb) && ReferenceEquals(e.Cause, orig.Cause) && ReferenceEquals(e.Context, orig.Context);
            if (reraise) CollectLeaves(e, keep);
            else newRaised.Add(e);
        }
        PyBaseException? reraised = keep.Count == 0 ? null : Split(orig, leaf => keep.Contains(leaf), false).match;
        if (newRaised.Count == 0) return reraised;
        if (reraised != null) newRaised.Add(reraised);
        return Create(BaseExceptionGroupType, new PyObject[] { PyStr.Of(""), new PyList(newRaised.ToArray()) });
    }

    private static void CollectLeaves(PyBaseException e, HashSet<PyBaseException> into)
    {
        if (!IsGroup(e)) { into.Add(e); return; }
        foreach (var x in Exceptions(e).Items) if (x is PyBaseException be) CollectLeaves(be, into);
    }

    private static PyBaseException DeriveAndCopy(PyBaseException g, List<PyObject> parts)
    {
        var derived = Ops.CallArgs(Ops.GetAttr(g, "derive"), new PyList(parts.ToArray()));
        if (derived is not PyBaseException d || !IsGroup(d))
            throw Ops.TypeError("derive must return an instance of BaseExceptionGroup");
        d.SetTraceback(g.TracebackObject());
        d.Cause = g.Cause;
        d.Context = g.Context;
        d.SuppressContext = g.SuppressContext;
        if (g.Dict!.GetOrNull(SNotes) is PyObject notes && notes != PyNone.Instance)
            d.Dict!.SetItem(SNotes, new PyList(Ops.ToArray(notes)));
        return d;
    }
}
