using System;
using System.IO;
using Invisible.Abi.Dwarf;
using Xunit;

namespace Invisible.DwarfPython.Tests;

/// <summary>Libraries installed without debug info, typed from their public headers (zlib, sqlite3 as Debian ships
/// them), and pointers as a ctypes user writes them. Oracles: CPython's ctypes making the same calls with hand-written
/// declarations (run as <c>python3 -c</c>), and the libraries' own results.</summary>
[Collection(ProcessEnvironment.Name)]
public class HeaderTypesTests
{
    private static string Out(string code)
    {
        var r = Fixture.Py(code, withFixture: false);
        Assert.True(r.Exit == 0, "exit " + r.Exit + "\n" + r.Stderr + "\n" + r.Stdout);
        return r.Stdout;
    }

    private static string Error(string code)
    {
        var r = Fixture.Py(code, withFixture: false);
        Assert.True(r.Exit != 0, "expected an error; got\n" + r.Stdout);
        string[] lines = r.Stderr.TrimEnd('\n').Split('\n');
        return lines[^1];
    }

    /// <summary>CPython with ctypes, the reference (tests that use it are <see cref="NeedsAttribute"/>s of python3).</summary>
    private static string CtypesOut(string code)
    {
        var r = Fixture.Run("/usr/bin/python3", new[] { "-c", code }, Path.GetTempPath());
        Assert.True(r.Exit == 0, "ctypes reference failed: " + r.Stderr);
        return r.Stdout;
    }

    private const string ZlibData = "data = b'invisible dwarf python ' * 64\n";

    [Needs("/usr/include/zlib.h", "/usr/lib/x86_64-linux-gnu/libz.so.1", "/usr/bin/gcc", "/usr/bin/python3")]
    public void ZlibCompressAndUncompressNeedNoDeclarations()
    {
        string ours = Out("import z\n" + ZlibData +
            "bound = z.compressBound(len(data))\n" +
            "dest = z.Bytef[bound]()\n" +
            "dlen = z.uLongf(bound)\n" +
            "print(z.compress2(dest, dlen, data, len(data), 9))\n" +
            "comp = bytes(dest)[:dlen.value]\n" +
            "print(comp.hex())\n" +
            "out = z.Bytef[len(data)]()\n" +
            "olen = z.uLongf(len(data))\n" +
            "print(z.uncompress(out, olen, comp, len(comp)), olen.value, bytes(out) == data)\n" +
            "print(z.compress2)");
        string reference = CtypesOut("import ctypes\nz = ctypes.CDLL('libz.so.1')\n" + ZlibData +
            "bound = z.compressBound(ctypes.c_ulong(len(data)))\n" +
            "dest = ctypes.create_string_buffer(bound)\n" +
            "dlen = ctypes.c_ulong(bound)\n" +
            "print(z.compress2(dest, ctypes.byref(dlen), data, ctypes.c_ulong(len(data)), 9))\n" +
            "print(dest.raw[:dlen.value].hex())\n");
        string[] o = ours.Split('\n');
        string[] r = reference.Split('\n');
        Assert.Equal("0", o[0]);
        Assert.Equal(r[0], o[0]);
        Assert.Equal(r[1], o[1]);
        Assert.Equal("0 1472 True", o[2]);
        Assert.StartsWith("<native function int compress2(Bytef *, uLongf *, const Bytef *, uLong, int) at 0x", o[3], StringComparison.Ordinal);
    }

    private const string SqliteSql = "create table t(a integer, b text); insert into t values (1, 'one'), (2, NULL), (3, 'three'); select a, b from t order by a desc";

    [Needs("/usr/include/sqlite3.h", "/usr/lib/x86_64-linux-gnu/libsqlite3.so.0", "/usr/bin/gcc", "/usr/bin/python3")]
    public void SqliteExecCallsAPythonCallbackWithNoDeclarations()
    {
        string ours = Out("import process\ns = process.load('libsqlite3.so.0')\n" +
            "db = process.cell('sqlite3 *')\n" +
            "print(s.sqlite3_open(':memory:', db))\n" +
            "def row(arg, n, values, names):\n" +
            "    print(n, [None if values[i] is None else str(values[i]) for i in range(n)], [str(names[i]) for i in range(n)])\n" +
            "    return 0\n" +
            "print(s.sqlite3_exec(db.value, \"" + SqliteSql + "\", row, None, None))\n" +
            "print(s.sqlite3_close(db.value), s.SQLITE_UTF8 if hasattr(s, 'SQLITE_UTF8') else 'macro')");
        string reference = CtypesOut("import ctypes\ns = ctypes.CDLL('libsqlite3.so.0')\n" +
            "db = ctypes.c_void_p()\n" +
            "print(s.sqlite3_open(b':memory:', ctypes.byref(db)))\n" +
            "CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_char_p))\n" +
            "def row(arg, n, values, names):\n" +
            "    print(n, [None if values[i] is None else values[i].decode() for i in range(n)], [names[i].decode() for i in range(n)])\n" +
            "    return 0\n" +
            "s.sqlite3_exec.argtypes = [ctypes.c_void_p, ctypes.c_char_p, CB, ctypes.c_void_p, ctypes.c_void_p]\n" +
            "print(s.sqlite3_exec(db, b\"" + SqliteSql + "\", CB(row), None, None))\n" +
            "s.sqlite3_close.argtypes = [ctypes.c_void_p]\n" +
            "print(s.sqlite3_close(db), 'macro')\n");
        Assert.Equal(reference, ours);
        Assert.Contains("2 ['3', 'three'] ['a', 'b']\n2 ['2', None] ['a', 'b']\n", ours, StringComparison.Ordinal); // not vacuous: the rows came back
    }

    [Needs("/usr/include/zlib.h", "/usr/lib/x86_64-linux-gnu/libz.so.1", "/usr/bin/gcc")]
    public void HeaderObjectIsBuiltOnceThenReadFromTheCache()
    {
        string cache = Path.Combine(Path.GetTempPath(), "invisible-hdr-" + Guid.NewGuid().ToString("N"));
        string? old = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", cache);
        try
        {
            using DwarfModule lib = DwarfModule.Open("/usr/lib/x86_64-linux-gnu/libz.so.1");
            Assert.False(lib.HasDwarf && lib.FindFunction("compress2") is { Type.IsPrototyped: true }, "libz has its own DWARF here; nothing to test");
            string[] headers = HeaderDwarf.HeadersFor(lib.Path, null, out string? why) ?? throw new Exception(why);
            Assert.Equal(new[] { "zlib.h" }, headers);
            string? obj = HeaderDwarf.ObjectFor(headers, "libz.so.1", lib.BuildId, lib.ExportedNames(), out string? error, out bool compiled);
            Assert.True(obj != null, error);
            Assert.True(compiled);
            Assert.StartsWith(Path.Combine(cache, "invisible", "headers") + "/", obj, StringComparison.Ordinal);
            string? again = HeaderDwarf.ObjectFor(headers, "libz.so.1", lib.BuildId, lib.ExportedNames(), out error, out compiled);
            Assert.Equal(obj, again);
            Assert.False(compiled);
            using DwarfModule types = DwarfModule.Open(obj!);
            Assert.Equal("int(Bytef *, uLongf *, const Bytef *, uLong, int)", types.FindFunction("compress2")!.Type.ToCString());
            Assert.Equal(112, types.FindType("z_stream")!.Size); // sizeof(z_stream) on x86-64, as the header lays it out
            Assert.Null(types.FindFunction("deflateInit")); // a function-like macro: no symbol, not described
            Assert.NotNull(types.FindFunction("deflateInit_"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", old);
            try { Directory.Delete(cache, true); } catch (IOException) { }
        }
    }

    [Needs("/usr/lib/x86_64-linux-gnu/libzstd.so.1", "/usr/bin/gcc")]
    public void AHeaderThatFailsToCompileLeavesTheFunctionsWithoutSignaturesAndSaysWhy()
    {
        string dir = Path.Combine(Path.GetTempPath(), "invisible-badhdr-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string bad = Path.Combine(dir, "bad.h");
        File.WriteAllText(bad, "size_t ZSTD_compressBound(size_t srcSize) this is not C;\n");
        try
        {
            string err = Error("import process\nzs = process.load('libzstd.so.1', header='" + bad + "')\nprint(zs.ZSTD_compressBound)\nzs.ZSTD_compressBound(10)");
            Assert.StartsWith("TypeError: ZSTD_compressBound() has no DWARF signature (no DWARF, and types from " + bad + " failed: the header does not compile: ", err, StringComparison.Ordinal);
            Assert.Contains("bad.h:1:", err, StringComparison.Ordinal);
            Assert.Equal("TypeError: ZSTD_compressBound() has no DWARF signature (header 'nonexistent_header.h' not found (looked in /usr/local/include, /usr/include/x86_64-linux-gnu, /usr/include)); give one: ZSTD_compressBound.signature(\"int (const char *)\")",
                Error("import process\nzs = process.load('libzstd.so.1', header='nonexistent_header.h')\nzs.ZSTD_compressBound(10)"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void SignatureStringsKeepFunctionPointerPrototypes()
    {
        // qsort through an explicit signature whose comparator is a full prototype: the Python callable gets an
        // entry point taking two pointers and returning int.
        string o = Out("import c, process\n" +
            "q = process.cfunc(c.qsort, 'void (void *, size_t, size_t, int (*)(const void *, const void *))')\n" +
            "xs = c.int[6]([8, 3, 13, 1, 5, 2])\n" +
            "def cmp(a, b):\n" +
            "    x = process.cast(a, 'int *')[0]\n" +
            "    y = process.cast(b, 'int *')[0]\n" +
            "    return (x > y) - (x < y)\n" +
            "q(xs, 6, 4, cmp)\n" +
            "print(list(xs))\n" +
            "print(repr(q))");
        string[] lines = o.Split('\n');
        Assert.Equal("[1, 2, 3, 5, 8, 13]", lines[0]);
        Assert.Contains("int (*)(const void *, const void *)", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void AnIntWhereAPointerIsExpectedIsATypeErrorUnlessWrapped()
    {
        Assert.Equal("TypeError: argument 1: expected const char *, got int (to pass an address, wrap it: process.pointer(addr, \"const char *\"))",
            Error("import c\nc.strlen(4096)"));
        Assert.Equal("5\n", Out("import c, process\nb = process.string('hello')\nprint(c.strlen(process.pointer(process.address(b), 'const char *')))"));
        Assert.Equal("TypeError: pointer(): 'int' is not a pointer type (write \"int *\")", Error("import process\nprocess.pointer(16, 'int')"));
    }

    [Fact]
    public void CastReachesAnyDepthOfPointers()
    {
        Assert.Equal("char ** hi\n",
            Out("import c, process\n" +
                "s = process.string('hi')\n" +
                "cell = process.cell('char *', s)\n" +
                "pp = process.cast(process.address(cell), 'char **')\n" +
                "print(process.typeof(pp), str(pp[0]))"));
    }

    [Needs("/usr/bin/python3")]
    public void GetaddrinfoFillsAnOutCellLikeCtypes()
    {
        string ours = Out("import c, process\n" +
            "hints = c.struct.addrinfo(ai_family=2, ai_socktype=1, ai_flags=4)\n" + // AF_INET, SOCK_STREAM, AI_NUMERICHOST
            "out = process.cell('struct addrinfo *')\n" +
            "print(c.getaddrinfo('127.0.0.1', '8080', hints, out))\n" +
            "ai = out.value\n" +
            "while ai is not None:\n" +
            "    sin = process.cast(ai.ai_addr, 'struct sockaddr_in *')\n" +
            "    print(ai.ai_family, ai.ai_socktype, ai.ai_protocol, ai.ai_addrlen, c.ntohs(sin.sin_port), hex(sin.sin_addr.s_addr))\n" +
            "    ai = ai.ai_next\n" +
            "c.freeaddrinfo(out.value)");
        string reference = CtypesOut("import ctypes, socket\n" +
            "class AI(ctypes.Structure): pass\n" +
            "AI._fields_ = [('ai_flags', ctypes.c_int), ('ai_family', ctypes.c_int), ('ai_socktype', ctypes.c_int), ('ai_protocol', ctypes.c_int),\n" +
            "  ('ai_addrlen', ctypes.c_uint32), ('ai_addr', ctypes.c_void_p), ('ai_canonname', ctypes.c_char_p), ('ai_next', ctypes.POINTER(AI))]\n" +
            "class SIN(ctypes.Structure): _fields_ = [('sin_family', ctypes.c_ushort), ('sin_port', ctypes.c_uint16), ('sin_addr', ctypes.c_uint32)]\n" +
            "c = ctypes.CDLL('libc.so.6')\n" +
            "hints = AI(ai_family=2, ai_socktype=1, ai_flags=4)\n" +
            "out = ctypes.POINTER(AI)()\n" +
            "print(c.getaddrinfo(b'127.0.0.1', b'8080', ctypes.byref(hints), ctypes.byref(out)))\n" +
            "ai = out\n" +
            "while ai:\n" +
            "    a = ai.contents\n" +
            "    sin = SIN.from_address(a.ai_addr)\n" +
            "    print(a.ai_family, a.ai_socktype, a.ai_protocol, a.ai_addrlen, socket.ntohs(sin.sin_port), hex(sin.sin_addr))\n" +
            "    ai = a.ai_next\n");
        Assert.Equal(reference, ours);
        Assert.Contains("2 1 6 16 8080 0x100007f", ours, StringComparison.Ordinal);
    }
}

/// <summary>Text arguments as a ctypes user relies on them: a pointer C keeps into a str or bytes argument stays valid
/// after the call (strtol's endptr, strchr's result). Oracle: CPython's ctypes with bytes, whose buffer C points into.</summary>
public class TextArgumentTests
{
    private static string Out(string code)
    {
        var r = Fixture.Py(code, withFixture: false);
        Assert.True(r.Exit == 0, "exit " + r.Exit + "\n" + r.Stderr + "\n" + r.Stdout);
        return r.Stdout;
    }

    [Needs("/usr/bin/python3")]
    public void StrtolsEndptrPointsIntoTheCallersText()
    {
        // After the call, other calls and allocations run before endptr is read: a scratch copy would be reused by then.
        string ours = Out("import c, process\n" +
            "end = process.cell('char *')\n" +
            "s = '12345 apples'\n" +
            "v = c.strtol(s, end, 10)\n" +
            "junk = [c.strlen('x' * i) for i in range(50)]\n" +
            "print(v, str(end.value), c.strlen(end.value))\n" +
            "b = b'0x1fZZ'\n" +
            "v = c.strtol(b, end, 16)\n" +
            "junk = [c.strlen(b'y' * i) for i in range(50)]\n" +
            "print(v, str(end.value))\n" +
            "print(str(c.strchr('where is the dot. here', ord('.'))))\n");
        var r = Fixture.Run("/usr/bin/python3", new[] { "-c", "import ctypes\n" +
            "c = ctypes.CDLL('libc.so.6')\n" +
            "c.strtol.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int]; c.strtol.restype = ctypes.c_long\n" +
            "c.strlen.argtypes = [ctypes.c_char_p]; c.strlen.restype = ctypes.c_size_t\n" +
            "c.strchr.argtypes = [ctypes.c_char_p, ctypes.c_int]; c.strchr.restype = ctypes.c_char_p\n" +
            "end = ctypes.c_char_p()\n" +
            "s = b'12345 apples'\n" +
            "v = c.strtol(s, ctypes.byref(end), 10)\n" +
            "junk = [c.strlen(b'x' * i) for i in range(50)]\n" +
            "print(v, end.value.decode(), c.strlen(end.value))\n" +
            "b = b'0x1fZZ'\n" +
            "v = c.strtol(b, ctypes.byref(end), 16)\n" +
            "print(v, end.value.decode())\n" +
            "print(c.strchr(b'where is the dot. here', ord('.')).decode())\n" }, Path.GetTempPath());
        Assert.True(r.Exit == 0, r.Stderr);
        Assert.Equal(r.Stdout, ours);
        Assert.Equal("12345  apples 7\n31 ZZ\n. here\n", ours); // not vacuous: the pointers went into the texts
    }
}

/// <summary>Header DWARF is made only for the libraries the user asked for.</summary>
[Collection(ProcessEnvironment.Name)]
public class HeaderScopeTests
{
    [Needs("/usr/include/zlib.h", "/usr/include/lzma.h", "/usr/bin/gcc")]
    public void ListingModulesAndLookingUpTypesMakesNoHeaderDwarfForLibrariesNotImported()
    {
        // This process has libz, liblzma, libbz2, libzstd loaded (libdw's dependencies), none with DWARF, all with
        // known headers. Before the rule a type lookup after process.modules compiled every one of them.
        string cache = Path.Combine(Path.GetTempPath(), "invisible-scope-" + Guid.NewGuid().ToString("N"));
        string? old = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", cache);
        try
        {
            var r = Fixture.Py("import process\n" +
                "names = [m.__file__ for m in process.modules]\n" +
                "print(any('liblzma' in n for n in names))\n" +
                "print(process.sizeof(process.cell('int')))\n" +
                "try:\n    process.cell('lzma_stream')\nexcept Exception as e:\n    print(type(e).__name__)\n" +
                "import z\n" +
                "print(process.sizeof(process.cell('uLongf')))\n", withFixture: false);
            Assert.True(r.Exit == 0, r.Stderr + r.Stdout);
            Assert.Equal("True\n4\nTypeError\n8\n", r.Stdout);
            string dir = Path.Combine(cache, "invisible", "headers");
            string[] made = Directory.Exists(dir) ? Directory.GetFiles(dir, "*.o") : Array.Empty<string>();
            // libz's may already be made and held by this test process (HeaderTypesTests imported z before): then
            // none is written here. Either way, nothing for liblzma, libbz2, libzstd.
            Assert.True(made.Length <= 1, string.Join(", ", made));
            foreach (string file in made)
                Assert.StartsWith("libz.so", Path.GetFileName(file), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", old);
            try { Directory.Delete(cache, true); } catch (IOException) { }
        }
    }
}

/// <summary>A test that needs installed files (a library's header: zlib1g-dev, libsqlite3-dev; gcc; python3 for the
/// ctypes reference): reported as skipped, with what is missing, when one is not there.</summary>
public sealed class NeedsAttribute : FactAttribute
{
    public NeedsAttribute(params string[] files)
    {
        foreach (string f in files)
            if (!File.Exists(f)) { Skip = "needs " + f + " (scripts/build installs it)"; break; }
    }
}

/// <summary>Mistakes a ctypes user makes silently, made loud: a callback returning the wrong type, a misspelled member.</summary>
public class PointerRulesTests
{
    [Fact]
    public void ACallbackReturningAStrWhereCWantsIntRaisesAfterTheCall()
    {
        var r = Fixture.Py("import c\nxs = c.int[3]([3, 1, 2])\ndef cmp(a, b):\n    return 'x'\n" +
            "try:\n    c.qsort(xs, 3, 4, cmp)\n    print('returned')\nexcept TypeError as e:\n    print('raised', e)", withFixture: false);
        Assert.Equal(0, r.Exit);
        Assert.Matches("^raised callback <function cmp at 0x[0-9a-f]+> returned str, but C wants int\n$", r.Stdout);
        Assert.Contains("Exception ignored on calling native callback <function cmp", r.Stderr, StringComparison.Ordinal); // reported where it happened
    }

    [Fact]
    public void AMisspelledMemberIsAnAttributeErrorNotASideStore()
    {
        Assert.Equal("AttributeError: 'struct point' has no member 'X' (did you mean 'x'?); a Python attribute of another name is kept aside for the object, a near miss of a member is refused",
            Fixture.Error("p = fx.struct.point(1, 2)\np.X = 5"));
        Assert.Equal("AttributeError: 'struct point' has no member 'z' (did you mean 'x'?); a Python attribute of another name is kept aside for the object, a near miss of a member is refused",
            Fixture.Error("p = fx.struct.point(1, 2)\np.z = 5"));
        Assert.Equal("hello {x = 1, y = 2}\n", Fixture.Out("p = fx.struct.point(1, 2)\np.note = 'hello'\nprint(p.note, p)"));
    }
}
