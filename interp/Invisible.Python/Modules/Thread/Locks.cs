using System;
using System.Threading;
using Invisible.Python.Runtime;
using ThreadState = Invisible.Python.Vm.ThreadState;

namespace Invisible.Python.Modules.Thread;

/// <summary>A lock any thread may release (CPython's <c>PyThread_type_lock</c>: a binary semaphore, not an owned
/// mutex — threading.Condition and Event release from another thread than the acquirer).</summary>
internal sealed class BinaryLock
{
    private bool _held;

    public bool Held => Volatile.Read(ref _held);

    public bool TryAcquire()
    {
        lock (this)
        {
            if (_held) return false;
            _held = true;
            return true;
        }
    }

    /// <summary>Take it, waiting at most <paramref name="milliseconds"/> (one slice of <see cref="Blocking.Wait{T}"/>).</summary>
    public static bool AcquireSlice(BinaryLock l, int milliseconds)
    {
        lock (l)
        {
            if (!l._held) { l._held = true; return true; }
            if (milliseconds <= 0) return false;
            Monitor.Wait(l, milliseconds);
            if (l._held) return false;
            l._held = true;
            return true;
        }
    }

    public bool Release()
    {
        lock (this)
        {
            if (!_held) return false;
            _held = false;
            Monitor.Pulse(this);
            return true;
        }
    }

    /// <summary>Acquire as CPython's <c>acquire(blocking, timeout)</c> after argument checks: at once, or waiting with
    /// the interpreter lock given up (<see cref="Blocking.Wait{T}"/>).</summary>
    public bool Acquire(bool blocking, double timeout)
    {
        if (TryAcquire()) return true;
        if (!blocking) return false;
        return Blocking.Wait(ThreadState.Current, timeout, this, AcquireSlice);
    }
}

/// <summary>The arguments <c>acquire(blocking=True, timeout=-1)</c> of lock and RLock, checked as CPython's.</summary>
internal static class AcquireArgs
{
    private static readonly ArgParser Parser = new("acquire", "blocking=True, timeout=-1");

    public static (bool Blocking, double Timeout) Parse(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var args = Parser.Parse(a, k);
        bool blocking = args.Bool(0, true);
        double timeout = -1;
        if (args[1] is { } t)
        {
            if (t is PyFloat f) timeout = f.V;
            else if (t is PyInt || t is PyBool) timeout = (double)Ops.IndexValue(t);
            else throw Ops.TypeError($"'{t.Type.Name}' object cannot be interpreted as an integer");
            if (double.IsNaN(timeout)) throw Ops.ValueError("Invalid value NaN (not a number)");
        }
        if (!blocking && timeout != -1) throw Ops.ValueError("can't specify a timeout for a non-blocking call");
        if (timeout < 0 && timeout != -1) throw Ops.ValueError("timeout value must be positive");
        if (timeout > ThreadModule.TimeoutMax) throw Ops.OverflowError("timestamp too large to convert to C _PyTime_t");
        return (blocking, timeout);
    }
}

/// <summary><c>_thread.lock</c> (<c>_thread.LockType</c>, <c>allocate_lock()</c>).</summary>
public sealed class PyLock : PyObject
{
    private static PyType? s_type;
    private static readonly object TypeGate = new();

    public static PyType LockType
    {
        get
        {
            if (s_type is { } t) return t;
            lock (TypeGate) return s_type ??= CreateType();
        }
    }

    internal readonly BinaryLock Lock = new();

    public override PyType Type => LockType;

    public override string Repr() =>
        $"<{(Lock.Held ? "locked" : "unlocked")} _thread.lock object at 0x{Ops.Id(this):x}>";

    private static PyLock Self(ReadOnlySpan<PyObject> a, string name) =>
        a.Length > 0 && a[0] is PyLock l ? l : throw Ops.TypeError($"descriptor '{name}' requires a '_thread.lock' object");

    private static PyType CreateType()
    {
        var t = new PyType("lock", PyType.ObjectType, (cls, a, k) => throw Ops.TypeError("cannot create '_thread.lock' instances")) { ModuleName = "_thread" };
        NativeFn acquire = (a, k) =>
        {
            var self = Self(a, "acquire");
            var (blocking, timeout) = AcquireArgs.Parse(a.Slice(1), k);
            return PyBool.Of(self.Lock.Acquire(blocking, timeout));
        };
        NativeFn release = (a, k) =>
        {
            var self = Self(a, "release");
            ArgParser.NoArgs("release", a.Slice(1), k);
            if (!self.Lock.Release()) throw Ops.RuntimeError("release unlocked lock");
            return PyNone.Instance;
        };
        NativeFn locked = (a, k) =>
        {
            var self = Self(a, "locked");
            ArgParser.NoArgs("locked", a.Slice(1), k);
            return PyBool.Of(self.Lock.Held);
        };
        t.AddMethod("acquire", acquire);
        t.AddMethod("acquire_lock", acquire);
        t.AddMethod("__enter__", acquire);
        t.AddMethod("release", release);
        t.AddMethod("release_lock", release);
        t.AddMethod("__exit__", (a, k) =>
        {
            var self = Self(a, "__exit__");
            if (!self.Lock.Release()) throw Ops.RuntimeError("release unlocked lock");
            return PyNone.Instance;
        });
        t.AddMethod("locked", locked);
        t.AddMethod("locked_lock", locked);
        t.AddMethod("_at_fork_reinit", (a, k) => { Self(a, "_at_fork_reinit").Lock.Release(); return PyNone.Instance; });
        t.AddMethod("__repr__", (a, k) => PyStr.Of(Self(a, "__repr__").Repr()));
        return t;
    }
}

/// <summary><c>_thread.RLock</c>: a reentrant lock owned by the thread that acquired it (identified by
/// <c>get_ident()</c>), as CPython's C implementation that threading.RLock uses.</summary>
public sealed class PyRLock : PyObject
{
    private static PyType? s_type;
    private static readonly object TypeGate = new();

    public static PyType RLockType
    {
        get
        {
            if (s_type is { } t) return t;
            lock (TypeGate) return s_type ??= CreateType();
        }
    }

    private readonly PyType _type;
    private PyDict? _dict;
    private readonly BinaryLock _lock = new();
    private long _owner;
    private long _count;

    private PyRLock(PyType type) { _type = type; }

    public override PyType Type => _type;
    public override PyDict? Dict => ReferenceEquals(_type, s_type) ? null : _dict ??= new PyDict();

    public override string Repr()
    {
        string name = _type.Name;
        return $"<{(_count > 0 ? "locked" : "unlocked")} {_type.ModuleName}.{name} object owner={_owner} count={_count} at 0x{Ops.Id(this):x}>";
    }

    private static PyRLock Self(ReadOnlySpan<PyObject> a, string name) =>
        a.Length > 0 && a[0] is PyRLock l ? l : throw Ops.TypeError($"descriptor '{name}' requires a '_thread.RLock' object");

    private bool Acquire(bool blocking, double timeout)
    {
        long me = ThreadModule.Ident();
        if (_count > 0 && _owner == me)
        {
            if (_count == long.MaxValue) throw Ops.OverflowError("Internal lock count overflowed");
            _count++;
            return true;
        }
        if (!_lock.Acquire(blocking, timeout)) return false;
        _owner = me;
        _count = 1;
        return true;
    }

    private void Release()
    {
        long me = ThreadModule.Ident();
        if (_count == 0 || _owner != me) throw Ops.RuntimeError("cannot release un-acquired lock");
        if (--_count == 0)
        {
            _owner = 0;
            _lock.Release();
        }
    }

    private static PyType CreateType()
    {
        var t = new PyType("RLock", PyType.ObjectType, (cls, a, k) => new PyRLock(cls)) { ModuleName = "_thread" };
        t.AddMethod("__init__", (a, k) => PyNone.Instance);
        NativeFn acquire = (a, k) =>
        {
            var self = Self(a, "acquire");
            var (blocking, timeout) = AcquireArgs.Parse(a.Slice(1), k);
            return PyBool.Of(self.Acquire(blocking, timeout));
        };
        t.AddMethod("acquire", acquire);
        t.AddMethod("__enter__", acquire);
        t.AddMethod("release", (a, k) =>
        {
            var self = Self(a, "release");
            ArgParser.NoArgs("release", a.Slice(1), k);
            self.Release();
            return PyNone.Instance;
        });
        t.AddMethod("__exit__", (a, k) => { Self(a, "__exit__").Release(); return PyNone.Instance; });
        t.AddMethod("_is_owned", (a, k) =>
        {
            var self = Self(a, "_is_owned");
            return PyBool.Of(self._count > 0 && self._owner == ThreadModule.Ident());
        });
        t.AddMethod("_release_save", (a, k) =>
        {
            var self = Self(a, "_release_save");
            if (self._count == 0) throw Ops.RuntimeError("cannot release un-acquired lock");
            var state = new PyTuple(new PyObject[] { PyInt.Get(self._count), PyInt.Get(self._owner) });
            self._count = 0;
            self._owner = 0;
            self._lock.Release();
            return state;
        });
        t.AddMethod("_acquire_restore", (a, k) =>
        {
            var self = Self(a, "_acquire_restore");
            if (a.Length != 2 || a[1] is not PyTuple { Items.Length: 2 } st)
                throw Ops.TypeError("_acquire_restore() argument must be a tuple of 2 items");
            long count = (long)Ops.IndexValue(st.Items[0]);
            long owner = (long)Ops.IndexValue(st.Items[1]);
            self._lock.Acquire(true, -1);
            self._owner = owner;
            self._count = count;
            return PyNone.Instance;
        });
        t.AddMethod("_at_fork_reinit", (a, k) =>
        {
            var self = Self(a, "_at_fork_reinit");
            self._lock.Release();
            self._owner = 0;
            self._count = 0;
            return PyNone.Instance;
        });
        t.AddMethod("__repr__", (a, k) => PyStr.Of(Self(a, "__repr__").Repr()));
        return t;
    }
}

/// <summary><c>_thread._local</c> (<c>threading.local</c>): an object whose attributes are the calling thread's own —
/// its <c>__dict__</c> is one dict per thread. A subclass's <c>__init__</c> runs again, with the arguments the object
/// was made with, the first time another thread uses it (as CPython's). A thread's dict goes with the thread.</summary>
public sealed class PyLocal : PyObject
{
    private static PyType? s_type;
    private static readonly object TypeGate = new();

    public static PyType LocalType
    {
        get
        {
            if (s_type is { } t) return t;
            lock (TypeGate) return s_type ??= CreateType();
        }
    }

    private readonly PyType _type;
    private readonly PyObject[] _args;
    private readonly PyStr[]? _kwnames;
    private readonly System.Threading.ThreadLocal<PyDict?> _dicts = new();

    private PyLocal(PyType type, PyObject[] args, PyStr[]? kwnames)
    {
        _type = type;
        _args = args;
        _kwnames = kwnames;
        _dicts.Value = new PyDict(); // the creating thread: type() calls __init__ itself
    }

    public override PyType Type => _type;

    public override PyDict? Dict
    {
        get
        {
            PyDict? d = _dicts.Value;
            if (d != null) return d;
            d = _dicts.Value = new PyDict();
            // First use on this thread: the subclass's __init__ again, with the original arguments.
            if (_type.Lookup(PyStr.Intern("__init__")) is { } init && !ReferenceEquals(init, PyType.ObjectType.Lookup(PyStr.Intern("__init__"))))
            {
                var all = new PyObject[_args.Length + 1];
                all[0] = this;
                _args.CopyTo(all, 1);
                Ops.Call(init, all, _kwnames);
            }
            return d;
        }
    }

    private static PyType CreateType()
    {
        var t = new PyType("_local", PyType.ObjectType, (cls, a, k) =>
        {
            if (a.Length > 0 && ReferenceEquals(cls.Lookup(PyStr.Intern("__init__")), PyType.ObjectType.Lookup(PyStr.Intern("__init__"))))
                throw Ops.TypeError("Initialization arguments are not supported");
            return new PyLocal(cls, a.ToArray(), k);
        }) { ModuleName = "_thread" };
        t.TypeDict.SetItem(PyStr.Intern("__doc__"), PyStr.Of("Thread-local data"));
        return t;
    }
}
