using System;
using System.Diagnostics;
using System.IO;
using Invisible.Python.Builtins;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;
using ThreadState = Invisible.Python.Vm.ThreadState;

namespace Invisible.Python.Modules;

public static class OsModule
{
    private static string P(PyObject o) => o is PyStr s ? s.Value : Ops.Str(o);

    private static PyException OsErr(string type, int errno, string msg, string path)
        => new(PyBaseException.Create(PyBaseException.All[type], PyInt.Get(errno), PyStr.Of(msg), PyStr.Of(path)));

    public static PyModule CreatePath()
    {
        var m = new PyModule("posixpath");
        m.Add("sep", PyStr.Of("/"));
        m.AddFn("join", (a, k) =>
        {
            string r = P(a[0]);
            for (int i = 1; i < a.Length; i++)
            {
                var p = P(a[i]);
                if (p.StartsWith('/')) r = p;
                else if (r.Length == 0 || r.EndsWith('/')) r += p;
                else r += "/" + p;
            }
            return PyStr.Of(r);
        });
        m.AddFn("exists", (a, k) => PyBool.Of(File.Exists(P(a[0])) || Directory.Exists(P(a[0]))));
        m.AddFn("isfile", (a, k) => PyBool.Of(File.Exists(P(a[0]))));
        m.AddFn("isdir", (a, k) => PyBool.Of(Directory.Exists(P(a[0]))));
        m.AddFn("isabs", (a, k) => PyBool.Of(P(a[0]).StartsWith('/')));
        m.AddFn("islink", (a, k) => PyBool.Of(new FileInfo(P(a[0])).LinkTarget != null));
        m.AddFn("basename", (a, k) => { var p = P(a[0]); return PyStr.Of(p.Substring(p.LastIndexOf('/') + 1)); });
        m.AddFn("dirname", (a, k) => { var p = P(a[0]); int i = p.LastIndexOf('/'); if (i < 0) return PyStr.Empty; var d = p.Substring(0, i + 1); return PyStr.Of(d.Trim('/').Length == 0 ? d : d.TrimEnd('/')); });
        m.AddFn("split", (a, k) =>
        {
            var p = P(a[0]); int i = p.LastIndexOf('/');
            var head = i < 0 ? "" : p.Substring(0, i + 1);
            if (head.Trim('/').Length != 0) head = head.TrimEnd('/');
            return new PyTuple(new PyObject[] { PyStr.Of(head), PyStr.Of(p.Substring(i + 1)) });
        });
        m.AddFn("splitext", (a, k) =>
        {
            var p = P(a[0]);
            int slash = p.LastIndexOf('/');
            int dot = p.LastIndexOf('.');
            int fnStart = slash + 1;
            while (fnStart < p.Length && p[fnStart] == '.') fnStart++;
            if (dot <= slash || dot < fnStart) return new PyTuple(new PyObject[] { PyStr.Of(p), PyStr.Empty });
            return new PyTuple(new PyObject[] { PyStr.Of(p.Substring(0, dot)), PyStr.Of(p.Substring(dot)) });
        });
        m.AddFn("abspath", (a, k) => PyStr.Of(Normalize(Path.GetFullPath(P(a[0])))));
        m.AddFn("realpath", (a, k) => PyStr.Of(Normalize(Path.GetFullPath(P(a[0])))));
        m.AddFn("normpath", (a, k) => PyStr.Of(Normalize(P(a[0]))));
        m.AddFn("getsize", (a, k) =>
        {
            var p = P(a[0]);
            if (!File.Exists(p)) throw OsErr("FileNotFoundError", 2, "No such file or directory", p);
            return PyInt.Get(new FileInfo(p).Length);
        });
        m.AddFn("expanduser", (a, k) => { var p = P(a[0]); return PyStr.Of(p.StartsWith('~') ? (Environment.GetEnvironmentVariable("HOME") ?? "") + p.Substring(1) : p); });
        m.AddFn("relpath", (a, k) => PyStr.Of(Path.GetRelativePath(a.Length > 1 ? P(a[1]) : Directory.GetCurrentDirectory(), P(a[0]))));
        return m;
    }

    public static string Normalize(string p)
    {
        if (p.Length == 0) return ".";
        bool abs = p.StartsWith('/');
        var parts = new System.Collections.Generic.List<string>();
        foreach (var s in p.Split('/'))
        {
            if (s.Length == 0 || s == ".") continue;
            if (s == ".." && parts.Count > 0 && parts[^1] != "..") { parts.RemoveAt(parts.Count - 1); continue; }
            if (s == ".." && abs) continue;
            parts.Add(s);
        }
        var r = (abs ? "/" : "") + string.Join("/", parts);
        return r.Length == 0 ? "." : r;
    }

    public static PyModule Create(PyModule path)
    {
        var m = new PyModule("os");
        m.Add("path", path);
        m.Add("sep", PyStr.Of("/")); m.Add("linesep", PyStr.Of("\n")); m.Add("name", PyStr.Of("posix")); m.Add("curdir", PyStr.Of("."));
        m.Add("pardir", PyStr.Of("..")); m.Add("pathsep", PyStr.Of(":")); m.Add("devnull", PyStr.Of("/dev/null"));
        var env = new PyDict();
        foreach (System.Collections.DictionaryEntry kv in Environment.GetEnvironmentVariables()) env.SetItem(PyStr.Of((string)kv.Key), PyStr.Of((string?)kv.Value ?? ""));
        m.Add("environ", env);
        m.AddFn("getenv", (a, k) => env.GetOrNull(PyStr.Of(P(a[0]))) ?? (a.Length > 1 ? a[1] : PyNone.Instance));
        m.AddFn("getcwd", (a, k) => PyStr.Of(Directory.GetCurrentDirectory()));
        m.AddFn("chdir", (a, k) => { Directory.SetCurrentDirectory(P(a[0])); return PyNone.Instance; });
        m.AddFn("listdir", (a, k) =>
        {
            var p = a.Length > 0 ? P(a[0]) : ".";
            if (!Directory.Exists(p)) throw OsErr("FileNotFoundError", 2, "No such file or directory", p);
            var l = new PyList();
            foreach (var e in Directory.EnumerateFileSystemEntries(p)) l.Append(PyStr.Of(Path.GetFileName(e)));
            return l;
        });
        m.AddFn("mkdir", (a, k) =>
        {
            var p = P(a[0]);
            if (Directory.Exists(p) || File.Exists(p)) throw OsErr("FileExistsError", 17, "File exists", p);
            Directory.CreateDirectory(p);
            return PyNone.Instance;
        });
        m.AddFn("makedirs", (a, k) =>
        {
            var p = P(a[0]);
            bool ok = Ops.Arg(a, k, 2, "exist_ok") is PyObject eo && Ops.IsTrue(eo);
            if (Directory.Exists(p) && !ok) throw OsErr("FileExistsError", 17, "File exists", p);
            Directory.CreateDirectory(p);
            return PyNone.Instance;
        });
        m.AddFn("rmdir", (a, k) => { Directory.Delete(P(a[0])); return PyNone.Instance; });
        NativeFn remove = (a, k) =>
        {
            var p = P(a[0]);
            if (!File.Exists(p)) throw OsErr("FileNotFoundError", 2, "No such file or directory", p);
            File.Delete(p);
            return PyNone.Instance;
        };
        m.AddFn("remove", remove);
        m.AddFn("unlink", remove);
        m.AddFn("rename", (a, k) => { var s = P(a[0]); var d = P(a[1]); if (Directory.Exists(s)) Directory.Move(s, d); else File.Move(s, d, true); return PyNone.Instance; });
        m.AddFn("replace", (a, k) => { File.Move(P(a[0]), P(a[1]), true); return PyNone.Instance; });
        m.AddFn("getpid", (a, k) => PyInt.Get(Environment.ProcessId));
        m.AddFn("cpu_count", (a, k) => PyInt.Get(Environment.ProcessorCount));
        m.AddFn("urandom", (a, k) => { var b = new byte[Ops.IndexValue(a[0])]; System.Security.Cryptography.RandomNumberGenerator.Fill(b); return new PyBytes(b); });
        m.AddFn("fspath", (a, k) => a[0]);
        m.AddFn("walk", (a, k) =>
        {
            var root = P(a[0]);
            var res = new PyList();
            void Walk(string dir)
            {
                var dirs = new PyList(); var files = new PyList();
                foreach (var d in Directory.GetDirectories(dir)) dirs.Append(PyStr.Of(Path.GetFileName(d)));
                foreach (var f in Directory.GetFiles(dir)) files.Append(PyStr.Of(Path.GetFileName(f)));
                res.Append(new PyTuple(new PyObject[] { PyStr.Of(dir), dirs, files }));
                for (int i = 0; i < dirs.Count; i++) Walk(dir.TrimEnd('/') + "/" + ((PyStr)dirs.Items[i]).Value);
            }
            if (Directory.Exists(root)) Walk(root);
            return res.Iter();
        });
        m.AddFn("stat", (a, k) =>
        {
            var p = P(a[0]);
            var st = new PyModule("stat_result");
            if (File.Exists(p)) { var fi = new FileInfo(p); st.Add("st_size", PyInt.Get(fi.Length)); st.Add("st_mtime", new PyFloat((fi.LastWriteTimeUtc - DateTime.UnixEpoch).TotalSeconds)); }
            else if (Directory.Exists(p)) { st.Add("st_size", PyInt.Get(4096)); st.Add("st_mtime", new PyFloat((Directory.GetLastWriteTimeUtc(p) - DateTime.UnixEpoch).TotalSeconds)); }
            else throw OsErr("FileNotFoundError", 2, "No such file or directory", p);
            return st;
        });
        return m;
    }
}
