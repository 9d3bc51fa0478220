using System;
using System.Collections.Generic;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Hashes;

/// <summary>
/// CPython's <c>_hashlib</c> (Modules/_hashopenssl.c) over libcrypto: new/openssl_* constructors, HASH and HASHXOF
/// objects, HMAC (hmac_new/hmac_digest), pbkdf2_hmac, scrypt, compare_digest. Lib's hashlib, hmac and secrets sit on it.
/// </summary>
public static class HashlibModule
{
    private static PyType? s_hash, s_xof, s_hmac, s_unsupported;
    private static readonly object TypesGate = new();

    internal static PyType HashType { get { if (s_hash is { } t) return t; lock (TypesGate) return s_hash ??= PyHash.MakeType("HASH", "_hashlib", false, true); } }
    internal static PyType XofType { get { if (s_xof is { } t) return t; lock (TypesGate) return s_xof ??= PyHash.MakeType("HASHXOF", "_hashlib", true, true); } }
    internal static PyType HmacType { get { if (s_hmac is { } t) return t; lock (TypesGate) return s_hmac ??= MakeHmacType(); } }
    internal static PyType UnsupportedType
    {
        get
        {
            if (s_unsupported is { } t) return t;
            lock (TypesGate) return s_unsupported ??= new PyType("UnsupportedDigestmodError", PyBaseException.ValueErrorType, null) { ModuleName = "_hashlib" };
        }
    }

    private static PyException Unsupported() => Ops.Exc(UnsupportedType, "[digital envelope routines] unsupported");

    private static readonly string[] Constructors =
        { "md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_224", "sha3_256", "sha3_384", "sha3_512", "shake_128", "shake_256" };
    private static readonly string[] Candidates =
        { "blake2b", "blake2s", "md5", "md5-sha1", "ripemd160", "sha1", "sha224", "sha256", "sha384", "sha3_224", "sha3_256", "sha3_384", "sha3_512", "sha512", "sha512_224", "sha512_256", "shake_128", "shake_256", "sm3" };

    public static PyModule Create()
    {
        if (!LibCrypto.Available) throw Ops.Exc(PyBaseException.ModuleNotFoundErrorType, "No module named '_hashlib' (libcrypto.so.3 is missing)");
        var m = new PyModule("_hashlib");
        m.Add("HASH", HashType);
        m.Add("HASHXOF", XofType);
        m.Add("HMAC", HmacType);
        m.Add("UnsupportedDigestmodError", UnsupportedType);
        m.AddFn("new", (a, k) =>
        {
            var name = Ops.Arg(a, k, 0, "name") ?? throw Ops.TypeError("new() missing required argument 'name' (pos 1)");
            if (name is not PyStr ns) throw Ops.TypeError($"new() argument 'name' must be str, not {name.Type.Name}");
            return New(ns.Value, a, k, "new", 1);
        });
        var constructors = new PyDict();
        foreach (var n in Constructors)
        {
            string name = n;
            var fn = new PyBuiltinFunction("openssl_" + name, (a, k) => New(name, a, k, "openssl_" + name, 0));
            m.Add("openssl_" + name, fn);
            constructors.SetItem(fn, new PyStr(name));
        }
        m.Add("_constructors", constructors);
        var names = new List<PyObject>();
        foreach (var n in Candidates) if (EvpEngine.Lookup(n) != 0) names.Add(new PyStr(n));
        m.Add("openssl_md_meth_names", new PySet(true, new PyList(names.ToArray())));
        m.AddFn("get_fips_mode", (a, k) => PyInt.Zero);
        m.AddFn("compare_digest", (a, k) => { Ops.NoKw(k, "compare_digest"); if (a.Length != 2) throw Ops.TypeError($"compare_digest expected 2 arguments, got {a.Length}"); return PyBool.Of(CompareDigest(a[0], a[1])); });
        m.AddFn("hmac_new", (a, k) =>
        {
            var key = Ops.Arg(a, k, 0, "key") ?? throw Ops.TypeError("hmac_new() missing required argument 'key' (pos 1)");
            var msg = Ops.Arg(a, k, 1, "msg");
            var digestmod = Ops.Arg(a, k, 2, "digestmod");
            var h = NewHmac(key, DigestName(digestmod, m));
            if (msg != null && msg != PyNone.Instance) h.Update(PyHash.DataArg(msg));
            return h;
        });
        m.AddFn("hmac_digest", (a, k) =>
        {
            var key = Ops.Arg(a, k, 0, "key") ?? throw Ops.TypeError("hmac_digest() missing required argument 'key' (pos 1)");
            var msg = Ops.Arg(a, k, 1, "msg") ?? throw Ops.TypeError("hmac_digest() missing required argument 'msg' (pos 2)");
            var digest = Ops.Arg(a, k, 2, "digest") ?? throw Ops.TypeError("hmac_digest() missing required argument 'digest' (pos 3)");
            var h = NewHmac(key, DigestName(digest, m));
            h.Update(PyHash.DataArg(msg));
            return new PyBytes(h.Digest());
        });
        m.AddFn("pbkdf2_hmac", (a, k) => Pbkdf2(a, k));
        m.AddFn("scrypt", (a, k) => Scrypt(a, k));
        return m;
    }

    private static PyHash New(string name, ReadOnlySpan<PyObject> a, PyStr[]? k, string fname, int dataIndex)
    {
        var e = EvpEngine.Create(name) ?? throw Unsupported();
        return PyHash.Construct(e.IsXof ? XofType : HashType, e, true, a, k, fname, dataIndex);
    }

    /// <summary>A digestmod: a name, or one of the openssl_* constructors (CPython's <c>_constructors</c> table).</summary>
    private static string DigestName(PyObject? digestmod, PyModule m)
    {
        if (digestmod == null || digestmod == PyNone.Instance) throw Ops.TypeError("Missing required parameter 'digestmod'.");
        if (digestmod is PyStr s) return s.Value;
        var table = (PyDict)Ops.GetAttr(m, "_constructors");
        if (table.GetOrNull(digestmod) is PyStr n) return n.Value;
        throw Ops.Exc(UnsupportedType, $"Unsupported digestmod {Ops.Repr(digestmod)}");
    }

    internal static bool CompareDigest(PyObject a, PyObject b)
    {
        ReadOnlySpan<byte> x, y;
        if (a is PyStr sa && b is PyStr sb)
        {
            foreach (var c in sa.Value) if (c > 127) throw Ops.TypeError("comparing strings with non-ASCII characters is not supported");
            foreach (var c in sb.Value) if (c > 127) throw Ops.TypeError("comparing strings with non-ASCII characters is not supported");
            x = System.Text.Encoding.ASCII.GetBytes(sa.Value);
            y = System.Text.Encoding.ASCII.GetBytes(sb.Value);
        }
        else
        {
            bool aBuf = a is not PyStr && Buffers.TryRead(a, out _), bBuf = b is not PyStr && Buffers.TryRead(b, out _);
            if (!aBuf && !bBuf) throw Ops.TypeError($"unsupported operand types(s) or combination of types: '{a.Type.Name}' and '{b.Type.Name}'");
            x = aBuf ? Buffers.Read(a) : throw Ops.TypeError($"a bytes-like object is required, not '{a.Type.Name}'");
            y = bBuf ? Buffers.Read(b) : throw Ops.TypeError($"a bytes-like object is required, not '{b.Type.Name}'");
        }
        // Constant time in the length of the second operand, as CPython's _tscmp.
        int result = x.Length == y.Length ? 0 : 1;
        var left = x.Length == y.Length ? x : y;
        for (int i = 0; i < y.Length; i++) result |= left[i] ^ y[i];
        return result == 0;
    }

    // ---------------- HMAC ----------------

    internal sealed class PyHmac : PyObject
    {
        internal HashEngine Inner, Outer;
        public PyHmac(HashEngine inner, HashEngine outer) { Inner = inner; Outer = outer; }
        public override PyType Type => HmacType;
        public override string Repr() => $"<{Inner.Name} HMAC object @ 0x{Ops.Id(this):x}>";
        public void Update(ReadOnlySpan<byte> data) => Inner.Update(data);
        public byte[] Digest()
        {
            var o = Outer.Clone();
            o.Update(Inner.Digest(0));
            return o.Digest(0);
        }
    }

    private static PyHmac NewHmac(PyObject keyObj, string digest)
    {
        var key = Buffers.Read(keyObj);
        var inner = EvpEngine.Create(digest) ?? throw Unsupported();
        if (inner.IsXof) throw Unsupported();
        var outer = EvpEngine.Create(digest)!;
        int bs = inner.BlockSize;
        var k = new byte[bs];
        if (key.Length > bs)
        {
            var kh = EvpEngine.Create(digest)!;
            kh.Update(key);
            kh.Digest(0).CopyTo(k, 0);
        }
        else key.CopyTo(k);
        var pad = new byte[bs];
        for (int i = 0; i < bs; i++) pad[i] = (byte)(k[i] ^ 0x36);
        inner.Update(pad);
        for (int i = 0; i < bs; i++) pad[i] = (byte)(k[i] ^ 0x5c);
        outer.Update(pad);
        return new PyHmac(inner, outer);
    }

    private static PyType MakeHmacType()
    {
        var t = new PyType("HMAC", PyType.ObjectType, (cls, a, k) => throw Ops.TypeError("cannot create '_hashlib.HMAC' instances")) { ModuleName = "_hashlib" };
        static PyHmac H(PyObject o) => (PyHmac)o;
        t.AddMethod("update", (a, k) =>
        {
            var msg = Ops.Arg(a, k, 1, "msg") ?? throw Ops.TypeError("update() missing required argument 'msg' (pos 1)");
            H(a[0]).Update(PyHash.DataArg(msg));
            return PyNone.Instance;
        });
        t.AddMethod("digest", (a, k) => new PyBytes(H(a[0]).Digest()));
        t.AddMethod("hexdigest", (a, k) => new PyStr(PyHash.HexOf(H(a[0]).Digest())));
        t.AddMethod("copy", (a, k) => new PyHmac(H(a[0]).Inner.Clone(), H(a[0]).Outer.Clone()));
        t.SetMember("name", new PyProperty(new PyBuiltinFunction("name", (a, k) => new PyStr("hmac-" + H(a[0]).Inner.Name)), null, null, null));
        t.SetMember("digest_size", new PyProperty(new PyBuiltinFunction("digest_size", (a, k) => PyInt.Get(H(a[0]).Inner.DigestSize)), null, null, null));
        t.SetMember("block_size", new PyProperty(new PyBuiltinFunction("block_size", (a, k) => PyInt.Get(H(a[0]).Inner.BlockSize)), null, null, null));
        return t;
    }

    // ---------------- key derivation ----------------

    private static unsafe PyObject Pbkdf2(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var name = Ops.Arg(a, k, 0, "hash_name") ?? throw Ops.TypeError("pbkdf2_hmac() missing required argument 'hash_name' (pos 1)");
        var pw = Ops.Arg(a, k, 1, "password") ?? throw Ops.TypeError("pbkdf2_hmac() missing required argument 'password' (pos 2)");
        var salt = Ops.Arg(a, k, 2, "salt") ?? throw Ops.TypeError("pbkdf2_hmac() missing required argument 'salt' (pos 3)");
        var iterObj = Ops.Arg(a, k, 3, "iterations") ?? throw Ops.TypeError("pbkdf2_hmac() missing required argument 'iterations' (pos 4)");
        var dklenObj = Ops.Arg(a, k, 4, "dklen");
        if (name is not PyStr ns) throw Ops.TypeError($"pbkdf2_hmac() argument 'hash_name' must be str, not {name.Type.Name}");
        var p = Buffers.Read(pw);
        var s = Buffers.Read(salt);
        var it = (PyInt)Ops.Index(iterObj);
        if (it.Sign <= 0) throw Ops.ValueError("iteration value must be greater than 0.");
        if (it.IsBig || it.V > int.MaxValue) throw Ops.OverflowError("iteration value is too great.");
        nint md = EvpEngine.Lookup(ns.Value);
        if (md == 0) throw Unsupported();
        long dklen = dklenObj == null || dklenObj == PyNone.Instance ? LibCrypto.EVP_MD_get_size(md) : Ops.IndexValue(dklenObj);
        if (dklen <= 0) throw Ops.ValueError("key length must be greater than 0.");
        if (dklen > int.MaxValue) throw Ops.OverflowError("key length is too great.");
        var r = new byte[dklen];
        fixed (byte* pp = p) fixed (byte* sp = s) fixed (byte* rp = r)
            if (LibCrypto.PKCS5_PBKDF2_HMAC(pp, p.Length, sp, s.Length, (int)it.V, md, (int)dklen, rp) != 1)
                throw Ops.ValueError("[digital envelope routines] PBKDF2 failed");
        return new PyBytes(r);
    }

    private static unsafe PyObject Scrypt(ReadOnlySpan<PyObject> a, PyStr[]? k)
    {
        var pw = Ops.Arg(a, k, 0, "password") ?? throw Ops.TypeError("scrypt() missing required argument 'password' (pos 1)");
        if (Ops.PosCount(a, k) > 1) throw Ops.TypeError($"scrypt() takes exactly 1 positional argument ({Ops.PosCount(a, k)} given)");
        var saltObj = Ops.Arg(a, k, 99, "salt");
        if (saltObj == null || saltObj == PyNone.Instance) throw Ops.TypeError("salt is required");
        var p = Buffers.Read(pw);
        var s = Buffers.Read(saltObj);
        static ulong Num(PyObject? o, string n, string missing)
        {
            if (o == null || o == PyNone.Instance) throw Ops.TypeError(missing);
            var i = (PyInt)Ops.Index(o);
            if (i.Sign < 0 || i.IsBig) throw Ops.OverflowError($"{n} is out of range");
            return (ulong)i.V;
        }
        ulong n = Num(Ops.Arg(a, k, 99, "n"), "n", "n is required and must be an unsigned int");
        if (n < 2 || (n & (n - 1)) != 0) throw Ops.ValueError("n must be a power of 2.");
        ulong r = Num(Ops.Arg(a, k, 99, "r"), "r", "r is required and must be an unsigned int");
        ulong pp = Num(Ops.Arg(a, k, 99, "p"), "p", "p is required and must be an unsigned int");
        var maxmemObj = Ops.Arg(a, k, 99, "maxmem");
        long maxmem = maxmemObj == null ? 0 : Ops.IndexValue(maxmemObj);
        if (maxmem < 0 || maxmem > int.MaxValue) throw Ops.ValueError($"maxmem must be positive and smaller than {int.MaxValue}");
        var dklenObj = Ops.Arg(a, k, 99, "dklen");
        long dklen = dklenObj == null ? 64 : Ops.IndexValue(dklenObj);
        if (dklen < 1 || dklen > int.MaxValue) throw Ops.ValueError($"dklen must be greater than 0 and smaller than {int.MaxValue}");
        var key = new byte[dklen];
        fixed (byte* pwp = p) fixed (byte* sp = s) fixed (byte* kp = key)
            if (LibCrypto.EVP_PBE_scrypt(pwp, (nuint)p.Length, sp, (nuint)s.Length, n, r, pp, (ulong)maxmem, kp, (nuint)dklen) != 1)
                throw Ops.ValueError("Invalid parameter combination for n, r, p, maxmem.");
        return new PyBytes(key);
    }
}
