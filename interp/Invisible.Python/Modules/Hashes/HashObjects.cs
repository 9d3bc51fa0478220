using System;
using System.Text;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Hashes;

/// <summary>A running message digest: the state behind a hash object.</summary>
internal abstract class HashEngine
{
    public abstract string Name { get; }
    public abstract int DigestSize { get; }
    public abstract int BlockSize { get; }
    public abstract bool IsXof { get; }
    public abstract void Update(ReadOnlySpan<byte> data);
    /// <summary>The digest of what was fed so far; the state stays usable. <paramref name="length"/> is for XOFs.</summary>
    public abstract byte[] Digest(int length);
    public abstract HashEngine Clone();
}

/// <summary>An OpenSSL EVP digest context.</summary>
internal sealed unsafe class EvpEngine : HashEngine
{
    private nint _ctx;
    private readonly nint _md;
    private readonly string _name;

    private EvpEngine(nint ctx, nint md, string name) { _ctx = ctx; _md = md; _name = name; }

    ~EvpEngine()
    {
        if (_ctx != 0) LibCrypto.EVP_MD_CTX_free(_ctx);
        _ctx = 0;
    }

    /// <summary>CPython's names and OpenSSL's for the digests whose names differ.</summary>
    internal static string OpenSslName(string pyName) => pyName switch
    {
        "sha3_224" => "sha3-224",
        "sha3_256" => "sha3-256",
        "sha3_384" => "sha3-384",
        "sha3_512" => "sha3-512",
        "shake_128" => "shake128",
        "shake_256" => "shake256",
        "sha512_224" => "sha512-224",
        "sha512_256" => "sha512-256",
        "blake2b" => "blake2b512",
        "blake2s" => "blake2s256",
        _ => pyName,
    };

    /// <summary>The message digest of that (Python) name, or 0.</summary>
    internal static nint Lookup(string pyName)
    {
        if (!LibCrypto.Available) return 0;
        return LibCrypto.EVP_get_digestbyname(OpenSslName(pyName.ToLowerInvariant()));
    }

    public static EvpEngine? Create(string pyName)
    {
        nint md = Lookup(pyName);
        if (md == 0) return null;
        nint ctx = LibCrypto.EVP_MD_CTX_new();
        if (ctx == 0) throw Ops.MemoryError();
        if (LibCrypto.EVP_DigestInit_ex(ctx, md, 0) != 1)
        {
            LibCrypto.EVP_MD_CTX_free(ctx);
            return null;
        }
        return new EvpEngine(ctx, md, pyName.ToLowerInvariant());
    }

    public override string Name => _name;
    public override int DigestSize => IsXof ? 0 : LibCrypto.EVP_MD_get_size(_md);
    public override int BlockSize => LibCrypto.EVP_MD_get_block_size(_md);
    public override bool IsXof => (LibCrypto.EVP_MD_get_flags(_md) & LibCrypto.EVP_MD_FLAG_XOF) != 0;

    public override void Update(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
            if (LibCrypto.EVP_DigestUpdate(_ctx, p, (nuint)data.Length) != 1) throw Ops.ValueError("[digital envelope routines] update failed");
        GC.KeepAlive(this);
    }

    public override byte[] Digest(int length)
    {
        // Finalize a copy: the object keeps accepting data after digest(), as in CPython.
        nint tmp = LibCrypto.EVP_MD_CTX_new();
        try
        {
            if (LibCrypto.EVP_MD_CTX_copy_ex(tmp, _ctx) != 1) throw Ops.ValueError("[digital envelope routines] copy failed");
            if (IsXof)
            {
                var r = new byte[length];
                if (length == 0) return r;
                fixed (byte* p = r) LibCrypto.EVP_DigestFinalXOF(tmp, p, (nuint)length);
                return r;
            }
            var d = new byte[64];
            uint n = 0;
            fixed (byte* p = d) LibCrypto.EVP_DigestFinal_ex(tmp, p, &n);
            return d.AsSpan(0, (int)n).ToArray();
        }
        finally
        {
            LibCrypto.EVP_MD_CTX_free(tmp);
            GC.KeepAlive(this);
        }
    }

    public override HashEngine Clone()
    {
        nint ctx = LibCrypto.EVP_MD_CTX_new();
        if (ctx == 0 || LibCrypto.EVP_MD_CTX_copy_ex(ctx, _ctx) != 1) throw Ops.MemoryError();
        GC.KeepAlive(this);
        return new EvpEngine(ctx, _md, _name);
    }
}

/// <summary>A hash object (_hashlib.HASH, _md5.md5, _blake2.blake2b, ...): one class, a type object per flavour.</summary>
internal sealed class PyHash : PyObject
{
    private readonly PyType _type;
    internal HashEngine Engine;
    private readonly bool _opensslRepr;
    public PyHash(PyType type, HashEngine engine, bool opensslRepr) { _type = type; Engine = engine; _opensslRepr = opensslRepr; }
    public override PyType Type => _type;
    public override string Repr() => _opensslRepr
        ? $"<{Engine.Name} {_type.ModuleName}.{_type.Name} object @ 0x{Ops.Id(this):x}>"
        : base.Repr();

    /// <summary>CPython's GET_BUFFER_VIEW_OR_ERROUT: str gets its own message.</summary>
    internal static ReadOnlySpan<byte> DataArg(PyObject o)
    {
        if (o is PyStr) throw Ops.TypeError("Strings must be encoded before hashing");
        if (Buffers.TryRead(o, out var b)) return b;
        throw Ops.TypeError("object supporting the buffer API required");
    }

    internal static string HexOf(byte[] d)
    {
        var sb = new StringBuilder(d.Length * 2);
        foreach (var b in d) sb.Append("0123456789abcdef"[b >> 4]).Append("0123456789abcdef"[b & 15]);
        return sb.ToString();
    }

    /// <summary>A hash type with CPython's method set; <paramref name="xof"/> types take digest(length).</summary>
    internal static PyType MakeType(string name, string module, bool xof, bool opensslRepr)
    {
        var t = new PyType(name, PyType.ObjectType, (cls, a, k) => throw Ops.TypeError($"cannot create '{module}.{name}' instances")) { ModuleName = module };
        static PyHash H(PyObject o) => (PyHash)o;
        t.AddMethod("update", (a, k) =>
        {
            Ops.NoKw(k, "update");
            if (a.Length != 2) throw Ops.TypeError($"update() takes exactly one argument ({a.Length - 1} given)");
            H(a[0]).Engine.Update(DataArg(a[1]));
            return PyNone.Instance;
        });
        if (xof)
        {
            static int Length(ReadOnlySpan<PyObject> a, PyStr[]? k, string fname)
            {
                var l = Ops.Arg(a, k, 1, "length") ?? throw Ops.TypeError($"{fname}() missing required argument 'length' (pos 1)");
                long n = Ops.IndexValue(l);
                if (n < 0 || n >= int.MaxValue / 2) throw Ops.MemoryError(); // CPython's text for a negative length too
                return (int)n;
            }
            t.AddMethod("digest", (a, k) => new PyBytes(H(a[0]).Engine.Digest(Length(a, k, "digest"))));
            t.AddMethod("hexdigest", (a, k) => new PyStr(HexOf(H(a[0]).Engine.Digest(Length(a, k, "hexdigest")))));
        }
        else
        {
            t.AddMethod("digest", (a, k) => new PyBytes(H(a[0]).Engine.Digest(0)));
            t.AddMethod("hexdigest", (a, k) => new PyStr(HexOf(H(a[0]).Engine.Digest(0))));
        }
        t.AddMethod("copy", (a, k) => { var h = H(a[0]); return new PyHash(h._type, h.Engine.Clone(), h._opensslRepr); });
        t.SetMember("name", new PyProperty(new PyBuiltinFunction("name", (a, k) => new PyStr(H(a[0]).Engine.Name)), null, null, null));
        t.SetMember("digest_size", new PyProperty(new PyBuiltinFunction("digest_size", (a, k) => PyInt.Get(H(a[0]).Engine.DigestSize)), null, null, null));
        t.SetMember("block_size", new PyProperty(new PyBuiltinFunction("block_size", (a, k) => PyInt.Get(H(a[0]).Engine.BlockSize)), null, null, null));
        return t;
    }

    /// <summary>Parses a constructor's (string=b'', *, usedforsecurity=True) and feeds the initial data.</summary>
    internal static PyHash Construct(PyType type, HashEngine engine, bool opensslRepr, ReadOnlySpan<PyObject> a, PyStr[]? k, string fname, int dataIndex)
    {
        PyObject? data = null;
        int npos = a.Length - (k?.Length ?? 0);
        if (npos > dataIndex + 1) throw Ops.TypeError($"{fname}() takes at most {dataIndex + 1} positional argument{(dataIndex == 0 ? "" : "s")} ({npos} given)");
        if (npos > dataIndex) data = a[dataIndex];
        if (k != null)
            for (int i = 0; i < k.Length; i++)
            {
                string n = k[i].Value;
                if (n == "string") data = a[npos + i];
                else if (n != "usedforsecurity" && !(dataIndex == 1 && n == "name"))
                    throw Ops.TypeError($"'{n}' is an invalid keyword argument for {fname}()");
            }
        var h = new PyHash(type, engine, opensslRepr);
        if (data != null) engine.Update(DataArg(data));
        return h;
    }
}
