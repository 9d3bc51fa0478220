using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace Invisible.Python.Importing;

/// <summary>
/// Our own Python modules, kept in the binary as embedded resources (<c>interp/Invisible.Python/Lib/**/*.py</c>,
/// resource name <c>Lib/PATH.py</c>): found at the <c>sys.path</c> entry <see cref="PathEntry"/>, which comes after
/// <c>PYTHONPATH</c> and before CPython's <c>Lib/</c> (<c>/usr/lib/python3.11</c>). A package is a folder with an
/// <c>__init__.py</c>; its <c>__path__</c> is <c>[PathEntry + "/NAME"]</c>, so its submodules are found here too.
/// </summary>
public static class EmbeddedLib
{
    /// <summary>The <c>sys.path</c> entry (and the <c>__file__</c> prefix) of the embedded modules.</summary>
    public const string PathEntry = "<invisible>";

    private static readonly Assembly Owner = typeof(EmbeddedLib).Assembly;
    // module name ("collections.abc") -> (resource name, is a package); immutable once built, shared by interpreters
    private static readonly Dictionary<string, (string Resource, bool Package)> Index = BuildIndex();

    private static Dictionary<string, (string, bool)> BuildIndex()
    {
        var d = new Dictionary<string, (string, bool)>(StringComparer.Ordinal);
        foreach (var res in Owner.GetManifestResourceNames())
        {
            if (!res.StartsWith("Lib/", StringComparison.Ordinal) || !res.EndsWith(".py", StringComparison.Ordinal)) continue;
            var rel = res.Substring(4, res.Length - 7);          // "collections/__init__"
            bool pkg = rel.EndsWith("/__init__", StringComparison.Ordinal) || rel == "__init__";
            if (pkg) rel = rel.Substring(0, rel.Length - 9);
            d[rel.Replace('/', '.')] = (res, pkg);
        }
        return d;
    }

    /// <summary>True when <paramref name="dir"/> (a <c>sys.path</c> or <c>__path__</c> entry) is ours.</summary>
    public static bool IsOurs(string dir) =>
        dir == PathEntry || dir.StartsWith(PathEntry + "/", StringComparison.Ordinal);

    /// <summary>The module <paramref name="fullname"/> if it is embedded under path entry <paramref name="dir"/>.</summary>
    public static bool TryFind(string dir, string fullname, out string source, out string file, out bool package)
    {
        source = file = "";
        package = false;
        if (!IsOurs(dir) || !Index.TryGetValue(fullname, out var entry)) { return false; }
        // the entry must be the folder the module lives in: PathEntry for top-level names, PathEntry/pkg for pkg.sub
        int dot = fullname.LastIndexOf('.');
        string expectedDir = dot < 0 ? PathEntry : PathEntry + "/" + fullname.Substring(0, dot).Replace('.', '/');
        if (dir != expectedDir) return false;
        using var s = Owner.GetManifestResourceStream(entry.Resource)!;
        using var r = new StreamReader(s);
        source = r.ReadToEnd();
        file = PathEntry + "/" + entry.Resource.Substring(4);
        package = entry.Package;
        return true;
    }

    /// <summary>The text of the embedded file <paramref name="file"/> (<c>&lt;invisible&gt;/PATH.py</c>), if it is one.</summary>
    public static bool TryRead(string file, out string text)
    {
        text = "";
        if (!file.StartsWith(PathEntry + "/", StringComparison.Ordinal)) return false;
        using var s = Owner.GetManifestResourceStream("Lib/" + file.Substring(PathEntry.Length + 1));
        if (s == null) return false;
        using var r = new StreamReader(s);
        text = r.ReadToEnd();
        return true;
    }

    /// <summary>Whether module <paramref name="fullname"/> is embedded directly in folder <paramref name="dir"/>
    /// (a path entry of ours): its file and whether it is a package, without reading it.</summary>
    public static bool TryLocate(string dir, string fullname, out string file, out bool package)
    {
        file = "";
        package = false;
        if (!IsOurs(dir) || !Index.TryGetValue(fullname, out var entry)) return false;
        int dot = fullname.LastIndexOf('.');
        string expectedDir = dot < 0 ? PathEntry : PathEntry + "/" + fullname.Substring(0, dot).Replace('.', '/');
        if (dir != expectedDir) return false;
        file = PathEntry + "/" + entry.Resource.Substring(4);
        package = entry.Package;
        return true;
    }

    /// <summary>Every embedded module name (tests, <c>pkgutil</c>-like listings).</summary>
    public static IEnumerable<string> Names => Index.Keys;
}
