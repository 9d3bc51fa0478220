using System;
using System.Runtime.InteropServices;

namespace Invisible.Python.Modules.Hashes;

/// <summary>The slice of OpenSSL's libcrypto (3.x) that CPython's <c>_hashlib</c> uses: EVP message digests,
/// PBKDF2 and scrypt. .NET's own System.Security.Cryptography sits on the same library on Linux but lacks SHA-224,
/// SHA-512/224, BLAKE2 and digest-context copies on every runtime we target, so we call EVP directly as CPython does.</summary>
internal static partial class LibCrypto
{
    private const string Lib = "libcrypto.so.3";

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint EVP_get_digestbyname(string name);
    [LibraryImport(Lib)]
    internal static partial int EVP_MD_get_size(nint md);
    [LibraryImport(Lib)]
    internal static partial int EVP_MD_get_block_size(nint md);
    [LibraryImport(Lib)]
    internal static partial ulong EVP_MD_get_flags(nint md);
    [LibraryImport(Lib)]
    internal static partial nint EVP_MD_CTX_new();
    [LibraryImport(Lib)]
    internal static partial void EVP_MD_CTX_free(nint ctx);
    [LibraryImport(Lib)]
    internal static partial int EVP_DigestInit_ex(nint ctx, nint md, nint engine);
    [LibraryImport(Lib)]
    internal static unsafe partial int EVP_DigestUpdate(nint ctx, byte* data, nuint count);
    [LibraryImport(Lib)]
    internal static unsafe partial int EVP_DigestFinal_ex(nint ctx, byte* md, uint* size);
    [LibraryImport(Lib)]
    internal static unsafe partial int EVP_DigestFinalXOF(nint ctx, byte* md, nuint size);
    [LibraryImport(Lib)]
    internal static partial int EVP_MD_CTX_copy_ex(nint dst, nint src);
    [LibraryImport(Lib)]
    internal static unsafe partial int PKCS5_PBKDF2_HMAC(byte* pass, int passlen, byte* salt, int saltlen, int iter, nint md, int keylen, byte* output);
    [LibraryImport(Lib)]
    internal static unsafe partial int EVP_PBE_scrypt(byte* pass, nuint passlen, byte* salt, nuint saltlen, ulong n, ulong r, ulong p, ulong maxmem, byte* key, nuint keylen);

    internal const ulong EVP_MD_FLAG_XOF = 0x2;

    private static int s_available; // 0 unknown, 1 yes, -1 no

    /// <summary>True when libcrypto loads (the modules built on it import only then).</summary>
    internal static bool Available
    {
        get
        {
            if (s_available == 0)
            {
                try { s_available = EVP_get_digestbyname("md5") != 0 ? 1 : -1; }
                catch (DllNotFoundException) { s_available = -1; }
                catch (EntryPointNotFoundException) { s_available = -1; }
            }
            return s_available > 0;
        }
    }
}
