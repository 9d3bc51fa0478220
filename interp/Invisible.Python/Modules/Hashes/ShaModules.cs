using System;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Hashes;

/// <summary>CPython's built-in fallback digest modules <c>_md5</c>, <c>_sha1</c>, <c>_sha256</c>, <c>_sha512</c>,
/// <c>_sha3</c> (Modules/md5module.c, ...): the same digests as _hashlib, each module with its own hash types
/// (_md5.md5, _sha256.sha224, _sha3.shake_128, ...). Computed by libcrypto too.</summary>
public static class ShaModules
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, PyType> Types = new();

    private static PyType TypeFor(string module, string name, bool xof) =>
        Types.GetOrAdd(module + "." + name, _ => PyHash.MakeType(name, module, xof, false));

    /// <summary>A module with one constructor per digest name; SHA-3 exposes the XOFs and the Keccak constants too.</summary>
    public static PyModule Create(string module, params string[] digests)
    {
        if (!LibCrypto.Available) throw Ops.Exc(PyBaseException.ModuleNotFoundErrorType, $"No module named '{module}' (libcrypto.so.3 is missing)");
        var m = new PyModule(module);
        foreach (var d in digests)
        {
            string name = d;
            bool xof = name.StartsWith("shake_", StringComparison.Ordinal);
            var type = TypeFor(module, name, xof);
            m.Add(name, type);
            type.New = (cls, a, k) =>
            {
                var e = EvpEngine.Create(name) ?? throw Ops.ValueError($"unsupported hash type {name}");
                return PyHash.Construct(type, e, false, a, k, name, 0);
            };
        }
        if (module == "_sha3") m.Add("implementation", new PyStr("tiny_sha3"));
        if (module == "_md5") m.Add("MD5Type", TypeFor(module, "md5", false));
        if (module == "_sha1") m.Add("SHA1Type", TypeFor(module, "sha1", false));
        if (module == "_sha256") { m.Add("SHA224Type", TypeFor(module, "sha224", false)); m.Add("SHA256Type", TypeFor(module, "sha256", false)); }
        if (module == "_sha512") { m.Add("SHA384Type", TypeFor(module, "sha384", false)); m.Add("SHA512Type", TypeFor(module, "sha512", false)); }
        return m;
    }
}
