using System;
using System.Collections.Generic;
using System.Numerics;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules;

/// <summary>_random: the Mersenne Twister core (same sequences as CPython for integer seeds).</summary>
public sealed class MersenneTwister
{
    private readonly uint[] _mt = new uint[624];
    private int _mti = 625;

    private void InitGenrand(uint s)
    {
        _mt[0] = s;
        for (_mti = 1; _mti < 624; _mti++)
            _mt[_mti] = (uint)(1812433253u * (_mt[_mti - 1] ^ (_mt[_mti - 1] >> 30)) + (uint)_mti);
    }

    public void InitByArray(uint[] key)
    {
        InitGenrand(19650218u);
        int i = 1, j = 0;
        int k = Math.Max(624, key.Length);
        for (; k > 0; k--)
        {
            _mt[i] = (_mt[i] ^ ((_mt[i - 1] ^ (_mt[i - 1] >> 30)) * 1664525u)) + key[j] + (uint)j;
            i++; j++;
            if (i >= 624) { _mt[0] = _mt[623]; i = 1; }
            if (j >= key.Length) j = 0;
        }
        for (k = 623; k > 0; k--)
        {
            _mt[i] = (_mt[i] ^ ((_mt[i - 1] ^ (_mt[i - 1] >> 30)) * 1566083941u)) - (uint)i;
            i++;
            if (i >= 624) { _mt[0] = _mt[623]; i = 1; }
        }
        _mt[0] = 0x80000000u;
    }

    public void Seed(BigInteger n)
    {
        n = BigInteger.Abs(n);
        var words = new List<uint>();
        if (n.IsZero) words.Add(0);
        while (!n.IsZero) { words.Add((uint)(n & 0xFFFFFFFF)); n >>= 32; }
        InitByArray(words.ToArray());
    }

    public uint Next()
    {
        uint y;
        if (_mti >= 624)
        {
            int kk;
            for (kk = 0; kk < 624 - 397; kk++)
            {
                y = (_mt[kk] & 0x80000000u) | (_mt[kk + 1] & 0x7fffffffu);
                _mt[kk] = _mt[kk + 397] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908b0dfu : 0);
            }
            for (; kk < 623; kk++)
            {
                y = (_mt[kk] & 0x80000000u) | (_mt[kk + 1] & 0x7fffffffu);
                _mt[kk] = _mt[kk + (397 - 624)] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908b0dfu : 0);
            }
            y = (_mt[623] & 0x80000000u) | (_mt[0] & 0x7fffffffu);
            _mt[623] = _mt[396] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908b0dfu : 0);
            _mti = 0;
        }
        y = _mt[_mti++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    /// <summary>CPython's <c>getstate()</c> words: the 624 state words and the index of the next one.</summary>
    public PyObject GetState()
    {
        var items = new PyObject[625];
        for (int i = 0; i < 624; i++) items[i] = PyInt.Get((long)_mt[i]);
        items[624] = PyInt.Get(_mti);
        return new PyTuple(items);
    }

    /// <summary>CPython's <c>random_setstate</c>: a tuple of 624 words (unsigned, kept to 32 bits) and an index 0..624,
    /// with its errors.</summary>
    public void SetState(PyObject state)
    {
        if (state is not PyTuple t) throw Ops.TypeError("state vector must be a tuple");
        if (t.Items.Length != 625) throw Ops.ValueError("state vector is the wrong size");
        var words = new uint[624];
        for (int i = 0; i < 624; i++)
        {
            if (t.Items[i] is not PyInt w) throw Ops.TypeError("an integer is required");
            if (w.Sign < 0) throw Ops.OverflowError("can't convert negative value to unsigned int");
            if (w.Big >= BigInteger.One << 64) throw Ops.OverflowError("Python int too large to convert to C unsigned long");
            words[i] = (uint)(w.Big & uint.MaxValue);
        }
        if (t.Items[624] is not PyInt last) throw Ops.TypeError("an integer is required");
        if (last.IsBig || last.V < 0 || last.V > 624) throw Ops.ValueError("invalid state");
        words.CopyTo(_mt, 0);
        _mti = (int)last.V;
    }

    public double Random()
    {
        uint a = Next() >> 5, b = Next() >> 6;
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
    }

    public BigInteger GetRandBits(int k)
    {
        if (k <= 32) return Next() >> (32 - k);
        int words = (k - 1) / 32 + 1;
        BigInteger r = 0;
        for (int i = 0; i < words; i++, k -= 32)
        {
            uint w = Next();
            if (k < 32) w >>= 32 - k;
            r |= (BigInteger)w << (32 * i);
        }
        return r;
    }

    public static PyModule CreateModule()
    {
        var m = new PyModule("_random");
        var t = new PyType("Random", PyType.ObjectType, (cls, a, k) => new PyRandom(cls)) { ModuleName = "_random" };
        t.AddMethod("seed", (a, k) =>
        {
            var r = ((PyRandom)a[0]).Mt;
            var s = a.Length > 1 ? a[1] : PyNone.Instance;
            if (s == PyNone.Instance) r.Seed(new BigInteger(DateTime.UtcNow.Ticks ^ Environment.ProcessId));
            else if (s is PyInt i) r.Seed(i.Big);
            else if (s is PyStr str)
            {
                var bytes = Encoding.UTF8.GetBytes(str.Value);
                var h = System.Security.Cryptography.SHA512.HashData(bytes);
                var all = new byte[bytes.Length + h.Length];
                bytes.CopyTo(all, 0); h.CopyTo(all, bytes.Length);
                r.Seed(new BigInteger(all, true, true));
            }
            else if (s is PyFloat f) r.Seed(new BigInteger(Math.Abs(f.V)) + (long)PyFloat.HashDouble(f.V, null));
            else r.Seed(Ops.Hash(s));
            return PyNone.Instance;
        });
        t.AddMethod("random", (a, k) => new PyFloat(((PyRandom)a[0]).Mt.Random()));
        t.AddMethod("getstate", (a, k) =>
        {
            if (a.Length != 1) throw Ops.TypeError("Random.getstate() takes no arguments (" + (a.Length - 1) + " given)");
            return ((PyRandom)a[0]).Mt.GetState();
        });
        t.AddMethod("setstate", (a, k) =>
        {
            if (a.Length != 2) throw Ops.TypeError("Random.setstate() takes exactly one argument (" + (a.Length - 1) + " given)");
            ((PyRandom)a[0]).Mt.SetState(a[1]);
            return PyNone.Instance;
        });
        t.AddMethod("getrandbits", (a, k) =>
        {
            if (a.Length != 2) throw Ops.TypeError("Random.getrandbits() takes exactly one argument (" + (a.Length - 1) + " given)");
            long n = Ops.IndexValue(a[1]);
            if (n < 0) throw Ops.ValueError("number of bits must be non-negative");
            if (n == 0) return PyInt.Zero;
            return PyInt.Get(((PyRandom)a[0]).Mt.GetRandBits((int)n));
        });
        t.AddMethod("__init__", (a, k) =>
        {
            if (a.Length > 1) Ops.CallMethod(a[0], "seed", a[1]);
            else Ops.CallMethod(a[0], "seed");
            return PyNone.Instance;
        });
        m.Add("Random", t);
        return m;
    }
}

public sealed class PyRandom : PyObject
{
    private readonly PyType _type;
    public readonly MersenneTwister Mt = new();
    private PyDict? _dict;
    public PyRandom(PyType t) { _type = t; Mt.Seed(DateTime.UtcNow.Ticks); }
    public override PyType Type => _type;
    public override PyDict? Dict => _dict ??= new PyDict();
}
