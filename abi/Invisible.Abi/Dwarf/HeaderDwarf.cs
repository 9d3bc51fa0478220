using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Invisible.Abi.Native;

namespace Invisible.Abi.Dwarf;

/// <summary>
/// DWARF made from a library's public header, for libraries installed without debug info (lookup step c): a
/// generated C unit includes the header and takes the address of every name the library exports that the header
/// declares, so that gcc describes each of them (a declaration DIE with its prototype); -fno-eliminate-unused-debug-types
/// keeps every type and enum of the header. The object is cached under $XDG_CACHE_HOME/invisible/headers/ (else
/// ~/.cache), keyed by the library's build-id and the header's content hash, and read like any other DWARF.
/// Function-like macros have no symbol and are not described.
/// </summary>
public static class HeaderDwarf
{
    /// <summary>Headers of common libraries whose header name is not <c>NAME.h</c> (key: the NAME of libNAME.so).</summary>
    private static readonly Dictionary<string, string[]> KnownHeaders = new(StringComparer.Ordinal)
    {
        ["z"] = new[] { "zlib.h" },
        ["sqlite3"] = new[] { "sqlite3.h" },
        ["crypto"] = new[] { "openssl/evp.h", "openssl/crypto.h", "openssl/sha.h", "openssl/md5.h", "openssl/rand.h", "openssl/err.h", "openssl/bn.h" },
        ["ssl"] = new[] { "openssl/ssl.h" },
        ["bz2"] = new[] { "bzlib.h" },
        ["lzma"] = new[] { "lzma.h" },
        ["zstd"] = new[] { "zstd.h" },
        ["curl"] = new[] { "curl/curl.h" },
        ["png16"] = new[] { "png.h" },
        ["jpeg"] = new[] { "stdio.h", "jpeglib.h" },
        ["ffi"] = new[] { "ffi.h" },
        ["elf"] = new[] { "libelf.h" },
        ["dw"] = new[] { "elfutils/libdwfl.h" },
        ["uuid"] = new[] { "uuid/uuid.h" },
        ["pcre2-8"] = new[] { "pcre2.h" },
        ["yaml-0"] = new[] { "yaml.h" },
        ["expat"] = new[] { "expat.h" },
        ["readline"] = new[] { "stdio.h", "readline/readline.h" },
        ["ncurses"] = new[] { "ncurses.h" },
        ["gmp"] = new[] { "gmp.h" },
        ["m"] = new[] { "math.h" },
    };

    private static readonly string[] IncludeDirs = { "/usr/local/include", "/usr/include/x86_64-linux-gnu", "/usr/include" };

    /// <summary>The NAME of libNAME.so[.N...] (<c>libz.so.1</c> → <c>z</c>); null for a file not named that way.</summary>
    public static string? LibraryName(string path)
    {
        string f = Path.GetFileName(path);
        if (!f.StartsWith("lib", StringComparison.Ordinal)) return null;
        int so = f.IndexOf(".so", StringComparison.Ordinal);
        return so > 3 ? f.Substring(3, so - 3) : null;
    }

    /// <summary>The headers to use for a library: the user's (<paramref name="explicitHeaders"/>, comma-separated),
    /// else INVISIBLE_HEADERS's entry <c>NAME=hdr[+hdr...]</c>, else the known map, else <c>NAME.h</c> when installed.
    /// Null when there is none; <paramref name="why"/> says why a named header cannot be used.</summary>
    public static string[]? HeadersFor(string libraryPath, string? explicitHeaders, out string? why)
    {
        why = null;
        string? name = LibraryName(libraryPath);
        string? spec = explicitHeaders;
        if (spec == null && name != null && Environment.GetEnvironmentVariable("INVISIBLE_HEADERS") is { Length: > 0 } env)
            foreach (string entry in env.Split(','))
            {
                int eq = entry.IndexOf('=');
                if (eq > 0 && entry.Substring(0, eq).Trim() == name) spec = entry.Substring(eq + 1).Replace('+', ',');
            }
        if (spec != null)
        {
            var list = new List<string>();
            foreach (string h in spec.Split(','))
            {
                string t = h.Trim();
                if (t.Length == 0) continue;
                if (Locate(t) == null) { why = "header '" + t + "' not found (looked in " + string.Join(", ", IncludeDirs) + ")"; return null; }
                list.Add(t);
            }
            return list.Count > 0 ? list.ToArray() : null;
        }
        if (name == null) return null;
        if (KnownHeaders.TryGetValue(name, out string[]? known))
        {
            foreach (string h in known)
                if (Locate(h) == null) { why = "header " + h + " is not installed"; return null; }
            return known;
        }
        return Locate(name + ".h") != null ? new[] { name + ".h" } : null;
    }

    /// <summary>A header's file: an absolute path as is, else under the standard include directories.</summary>
    public static string? Locate(string header)
    {
        if (Path.IsPathRooted(header)) return File.Exists(header) ? header : null;
        foreach (string d in IncludeDirs)
        {
            string p = Path.Combine(d, header);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>The cache directory: $XDG_CACHE_HOME/invisible/headers, else ~/.cache/invisible/headers.</summary>
    public static string CacheDirectory
    {
        get
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string root = xdg is { Length: > 0 } && Path.IsPathRooted(xdg) ? xdg
                : Path.Combine(Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : Path.GetTempPath(), ".cache");
            return Path.Combine(root, "invisible", "headers");
        }
    }

    /// <summary>The cached object for these headers and this library, compiled if missing. Returns the object's path,
    /// or null with <paramref name="error"/> saying why (no gcc, the header does not compile, ...).</summary>
    public static string? ObjectFor(string[] headers, string libraryName, string? buildId, IReadOnlyList<string> exports,
        out string? error, out bool compiled)
    {
        error = null;
        compiled = false;
        string key;
        try { key = Key(headers, buildId, exports); }
        catch (IOException e) { error = "cannot read the header: " + e.Message; return null; }
        string dir = CacheDirectory;
        string safeName = Regex.Replace(libraryName, "[^A-Za-z0-9_.+-]", "_");
        string obj = Path.Combine(dir, safeName + "-" + key + ".o");
        if (File.Exists(obj)) return obj;
        try { Directory.CreateDirectory(dir); }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            error = "cannot create the cache directory " + dir + ": " + e.Message;
            return null;
        }
        string? made = Compile(headers, exports, dir, out error);
        if (made == null) return null;
        try { File.Move(made, obj, overwrite: true); }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            error = "cannot store " + obj + ": " + e.Message;
            TryDelete(made);
            return null;
        }
        compiled = true;
        return obj;
    }

    /// <summary>build-id (or, without one, the export list) and the headers' names and contents, hashed.</summary>
    private static string Key(string[] headers, string? buildId, IReadOnlyList<string> exports)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(Encoding.UTF8.GetBytes("v1\n" + (buildId ?? string.Join(",", exports)) + "\n"));
        foreach (string hdr in headers)
        {
            h.AppendData(Encoding.UTF8.GetBytes(hdr + "\n"));
            h.AppendData(File.ReadAllBytes(Locate(hdr) ?? throw new IOException(hdr + ": not found")));
        }
        string hash = Convert.ToHexString(h.GetHashAndReset()).ToLowerInvariant();
        return (buildId is { Length: >= 16 } ? buildId.Substring(0, 16) + "-" : "") + hash.Substring(0, 16);
    }

    private static readonly Regex ErrorLine = new(@"^[^:\n]*\.c:(\d+):\d+: error:", RegexOptions.Multiline);

    /// <summary>Compiles the generated unit into <paramref name="dir"/>; names the header does not declare (gcc's
    /// "undeclared" errors, by line) are dropped and the unit compiled again.</summary>
    private static string? Compile(string[] headers, IReadOnlyList<string> exports, string dir, out string? error)
    {
        error = null;
        string? gcc = FindGcc();
        if (gcc == null) { error = "gcc not found (install gcc to type libraries from their headers)"; return null; }
        string stem = Path.Combine(dir, ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        string src = stem + ".c", obj = stem + ".o";
        var names = new List<string>();
        foreach (string e in exports)
            if (IsIdentifier(e) && !e.StartsWith("_", StringComparison.Ordinal)) names.Add(e);
        try
        {
            for (int attempt = 0; attempt < 4; attempt++)
            {
                File.WriteAllText(src, Unit(headers, names));
                int exit = Run(gcc, new[] { "-g", "-O0", "-w", "-fno-eliminate-unused-debug-types", "-c", src, "-o", obj }, out string stderr);
                if (exit == 0) return obj;
                // Lines 1..headers.Length+1 are the includes and the array's head; each name after that is on its own line.
                int first = headers.Length + 2;
                var bad = new HashSet<int>();
                bool other = false;
                foreach (Match m in ErrorLine.Matches(stderr))
                {
                    int line = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                    if (line >= first && line < first + names.Count) bad.Add(line - first);
                    else other = true;
                }
                if (other || bad.Count == 0 || exit < 0)
                {
                    error = "the header does not compile: " + FirstLines(stderr, exit);
                    return null;
                }
                var kept = new List<string>(names.Count - bad.Count);
                for (int i = 0; i < names.Count; i++) if (!bad.Contains(i)) kept.Add(names[i]);
                names = kept;
            }
            error = "the header does not compile (gave up after 4 attempts)";
            return null;
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            error = "cannot run gcc: " + e.Message;
            return null;
        }
        finally
        {
            TryDelete(src);
            if (error != null) TryDelete(obj);
        }
    }

    /// <summary>The generated unit: the headers, then one address per line (gcc reports a name the headers do not
    /// declare by its line). Taking an address makes gcc describe the declaration with its parameter types.</summary>
    internal static string Unit(string[] headers, List<string> names)
    {
        var sb = new StringBuilder();
        foreach (string h in headers) sb.Append("#include ").Append(Path.IsPathRooted(h) ? "\"" + h + "\"" : "<" + h + ">").Append('\n');
        sb.Append("void *const __invisible_header_refs[] = {\n");
        foreach (string n in names) sb.Append("(void *)&").Append(n).Append(",\n");
        sb.Append("(void *)0 };\n");
        return sb.ToString();
    }

    private static bool IsIdentifier(string s)
    {
        if (s.Length == 0 || char.IsAsciiDigit(s[0])) return false;
        foreach (char c in s) if (!char.IsAsciiLetterOrDigit(c) && c != '_') return false;
        return true;
    }

    private static string? FindGcc()
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        foreach (string d in (path is { Length: > 0 } ? path : "/usr/bin:/bin").Split(':'))
        {
            if (d.Length == 0) continue;
            string p = Path.Combine(d, "gcc");
            if (File.Exists(p)) return p;
        }
        return null;
    }

    private static readonly string[] DroppedVariables = { "LD_PRELOAD", "LD_AUDIT", "INVISIBLE_*" };
    private static readonly KeyValuePair<string, string>[] ToolVariables = { new("LC_ALL", "C") };

    /// <summary>Runs a tool with the preload and our own variables removed from its environment (gcc must not run
    /// under the tracker when this runs inside a target), C locale for parseable messages; 60 s at most. Inside a
    /// target this must leave no trace (no SIGCHLD, no handler, no thread): <see cref="QuietSpawn"/>.</summary>
    private static int Run(string exe, string[] args, out string stderr)
    {
        QuietSpawn.Result r = QuietSpawn.Run(exe, args, DroppedVariables, ToolVariables, 60_000);
        stderr = r.TimedOut ? "gcc did not finish in 60 s" : r.Output;
        return r.TimedOut ? -1 : r.ExitCode;
    }

    private static string FirstLines(string s, int exit)
    {
        string[] lines = s.Split('\n');
        var sb = new StringBuilder();
        for (int i = 0, n = 0; i < lines.Length && n < 3; i++)
        {
            if (lines[i].Length == 0) continue;
            if (sb.Length > 0) sb.Append(" | ");
            sb.Append(lines[i].Trim());
            n++;
        }
        return sb.Length > 0 ? sb.ToString() : "gcc exited with " + exit;
    }

    private static void TryDelete(string p)
    {
        try { File.Delete(p); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
