using System;
using System.Collections.Generic;
using Invisible.Python.Modules;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Importing;

/// <summary>
/// Transitional (issue 12): our stand-ins that still serve a name of CPython's <c>Lib/</c>, each only until the
/// C-level modules the real one needs exist. This list is the one place they are named; it only shrinks, and when it
/// is empty the stand-ins (this file, the C# ones below and <c>Lib/</c>'s Python ones listed here) are gone.
/// <para>The Python stand-ins are embedded <c>.py</c> files (<see cref="EmbeddedLib"/>), found at their
/// <c>sys.path</c> entry before <c>/usr/lib/python3.11</c>; the C# stand-ins are served at that same entry (they are
/// not built-in modules: CPython's are Python files).</para>
/// </summary>
public static class StandIns
{
    /// <summary>Lib module served by an embedded Python stand-in -> what the real one waits for.</summary>
    public static readonly IReadOnlyDictionary<string, string> Python = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["random"] = "_collections_abc (coroutine objects), Lib's os",
        ["string"] = "collections.ChainMap (Lib's collections)",
        ["functools"] = "_functools or Lib's fallbacks, _thread (RLock), reprlib (_thread), collections, types (coroutine objects)",
        ["collections"] = "_collections complete (WP1), reprlib (_thread), _collections_abc (coroutine objects)",
        ["collections.abc"] = "_collections_abc (coroutine objects: it closes one at import)",
        ["copy"] = "types and weakref (_collections_abc: coroutine objects)",
        ["types"] = "coroutine objects (it closes one at import)",
        ["typing"] = "collections.abc, functools, re, types",
        ["contextlib"] = "collections, functools, types complete",
        ["dataclasses"] = "re, copy, inspect, types, functools",
        ["enum"] = "types, functools, operator complete",
        ["statistics"] = "fractions, decimal, math complete, collections, bisect, random",
        ["_warnings"] = "the C-level _warnings (warn, warn_explicit, filters)",
    };

    /// <summary>Lib module served by a C# stand-in -> what the real one waits for.</summary>
    public static readonly IReadOnlyDictionary<string, string> CSharp = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["re"] = "_sre (WP2)",
        ["json"] = "re (_sre); _json optional (WP5)",
        ["os"] = "posix (WP3)",
        ["os.path"] = "os (posix)",
        ["posixpath"] = "os (posix), genericpath, stat",
        ["tempfile"] = "os (posix), random, shutil, weakref",
    };

    /// <summary>The C# stand-in module <paramref name="fullname"/> for <paramref name="interp"/>, if there is one
    /// (asked at <see cref="EmbeddedLib.PathEntry"/>'s place in <c>sys.path</c>).</summary>
    public static PyModule? CreateCSharp(InterpreterState interp, string fullname)
    {
        switch (fullname)
        {
            case "re": return ReModule.Create();
            case "json": return JsonModule.Create();
            case "os": return OsModule.Create(OsModule.CreatePath());
            case "os.path":
            case "posixpath":
                return (PyModule)Ops.GetAttr(interp.Imports.ImportName("os", new PyDict(), PyNone.Instance, 0), "path");
            case "tempfile":
            {
                var m = new PyModule("tempfile");
                m.AddFn("gettempdir", (a, k) => PyStr.Of(System.IO.Path.GetTempPath().TrimEnd('/')));
                m.AddFn("mkdtemp", (a, k) => PyStr.Of(System.IO.Directory.CreateTempSubdirectory("tmp").FullName));
                m.AddFn("mkstemp", (a, k) => MakeTemporaryFile(MkstempArgs.Parse(a, k)));
                return m;
            }
        }
        return null;
    }

    private static readonly ArgParser MkstempArgs = new("mkstemp", "suffix=None, prefix=None, dir=None, text=False");

    /// <summary>tempfile.mkstemp: a new file only this user can read and write, created with O_EXCL under a random name,
    /// and its real descriptor (not inherited by children: O_CLOEXEC, as CPython's).</summary>
    private static unsafe PyTuple MakeTemporaryFile(Args args)
    {
        string suffix = args[0] is PyStr sf ? sf.Value : "";
        string prefix = args[1] is PyStr pf ? pf.Value : "tmp";
        string dir = args[2] is PyStr d ? d.Value : System.IO.Path.GetTempPath().TrimEnd('/');
        const int OpenFlags = 0x2 | 0x40 | 0x80 | 0x80000; // O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC
        for (int attempt = 0; attempt < 100; attempt++)
        {
            string path = System.IO.Path.Combine(dir, prefix + System.IO.Path.GetRandomFileName().Replace(".", "", StringComparison.Ordinal) + suffix);
            byte[] bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
            int fd;
            fixed (byte* p = bytes) fd = Modules.Posix.Libc.open(p, OpenFlags, 0x180 /* 0600 */);
            if (fd >= 0) return new PyTuple(new PyObject[] { PyInt.Get(fd), PyStr.Of(path) });
            int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            if (errno != 17 /* EEXIST */) throw Modules.Posix.Fs.Error(errno, PyStr.Of(path));
        }
        throw Modules.Posix.Fs.Error(17, PyStr.Of(dir));
    }
}
