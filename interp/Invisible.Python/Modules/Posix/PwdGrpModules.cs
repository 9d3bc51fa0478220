using System;
using System.Runtime.InteropServices;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Posix;

/// <summary><c>pwd</c> and <c>grp</c> (CPython's Modules/pwdmodule.c, grpmodule.c): the password and group databases
/// through the reentrant libc calls, as struct sequences.</summary>
public static unsafe partial class PwdGrpModules
{
    private const string C = "libc.so.6";

    [StructLayout(LayoutKind.Sequential)]
    private struct Passwd { public byte* Name, Passwd_; public uint Uid, Gid; public byte* Gecos, Dir, Shell; }

    [StructLayout(LayoutKind.Sequential)]
    private struct Group { public byte* Name, Passwd_; public uint Gid; public byte** Mem; }

    [LibraryImport(C)] private static partial int getpwnam_r(byte* name, Passwd* pwd, byte* buf, nint len, Passwd** result);
    [LibraryImport(C)] private static partial int getpwuid_r(uint uid, Passwd* pwd, byte* buf, nint len, Passwd** result);
    [LibraryImport(C)] private static partial int getgrnam_r(byte* name, Group* grp, byte* buf, nint len, Group** result);
    [LibraryImport(C)] private static partial int getgrgid_r(uint gid, Group* grp, byte* buf, nint len, Group** result);
    [LibraryImport(C)] private static partial void setpwent();
    [LibraryImport(C)] private static partial Passwd* getpwent();
    [LibraryImport(C)] private static partial void endpwent();
    [LibraryImport(C)] private static partial void setgrent();
    [LibraryImport(C)] private static partial Group* getgrent();
    [LibraryImport(C)] private static partial void endgrent();

    public static readonly StructSeq StructPasswd = new("pwd", "struct_passwd",
        new[] { "pw_name", "pw_passwd", "pw_uid", "pw_gid", "pw_gecos", "pw_dir", "pw_shell" }, 7);
    public static readonly StructSeq StructGroup = new("grp", "struct_group", new[] { "gr_name", "gr_passwd", "gr_gid", "gr_mem" }, 4);

    private static PyObject S(byte* p) => p == null ? PyNone.Instance : Fs.DecodeStr(new ReadOnlySpan<byte>(p, Strlen(p)));

    private static int Strlen(byte* p)
    {
        int n = 0;
        while (p[n] != 0) n++;
        return n;
    }

    private static PyObject MakePasswd(Passwd* p) => StructPasswd.Make(new[]
    {
        S(p->Name), S(p->Passwd_), PyInt.Get((long)p->Uid), PyInt.Get((long)p->Gid), S(p->Gecos), S(p->Dir), S(p->Shell),
    });

    private static PyObject MakeGroup(Group* g)
    {
        var mem = new PyList();
        if (g->Mem != null) for (byte** m = g->Mem; *m != null; m++) mem.Append(S(*m));
        return StructGroup.Make(new PyObject[] { S(g->Name), S(g->Passwd_), PyInt.Get((long)g->Gid), mem });
    }

    private delegate int Lookup(byte* buf, nint len);

    /// <summary>Calls a *_r function, growing the buffer on ERANGE; false when there is no such entry.</summary>
    private static bool Call(Lookup f)
    {
        for (nint size = 1024; ; size *= 2)
        {
            var buf = new byte[size];
            int r;
            fixed (byte* b = buf) r = f(b, size);
            if (r == 34 /* ERANGE */ && size < (1 << 24)) continue;
            if (r != 0 && r != 2 && r != 3 && r != 9 && r != 1) throw Fs.Error(r);
            return r == 0;
        }
    }

    private static uint Id(PyObject o, string what)
    {
        if (o is PyFloat || o is not PyInt && o.Type.Lookup(PyStr.S___index__) == null)
            throw Ops.TypeError($"{(what.Contains("uid") ? "uid" : "gid")} should be integer, not {o.Type.Name}");
        long v = Ops.IndexValue(o);
        if (v < -1 || v > uint.MaxValue) throw Ops.KeyError($"{what} not found: {v}");
        return (uint)v;
    }

    public static PyModule CreatePwd()
    {
        var m = new PyModule("pwd");
        m.Add("struct_passwd", StructPasswd.Type);
        m.AddFn("getpwuid", (a, k) =>
        {
            Ops.ArgCount(a, 1, 1, "getpwuid");
            uint uid = Id(a[0], "getpwuid(): uid");
            PyObject? r = null;
            Call((b, n) => { Passwd pw; Passwd* res; int e = getpwuid_r(uid, &pw, b, n, &res); if (e == 0 && res != null) r = MakePasswd(res); return e == 0 && res == null ? 2 : e; });
            return r ?? throw new PyException(PyBaseException.Create(PyBaseException.KeyErrorType, PyStr.Of($"getpwuid(): uid not found: {Ops.Repr(a[0])}")));
        });
        m.AddFn("getpwnam", (a, k) =>
        {
            Ops.ArgCount(a, 1, 1, "getpwnam");
            if (a[0] is not PyStr name) throw Ops.TypeError($"getpwnam() argument must be str, not {a[0].Type.Name}");
            var z = Fs.Encode(name.Value, true);
            if (Array.IndexOf(z, (byte)0) < z.Length - 1) throw Ops.ValueError("embedded null character");
            PyObject? r = null;
            Call((b, n) => { Passwd pw; Passwd* res; int e; fixed (byte* nz = z) e = getpwnam_r(nz, &pw, b, n, &res); if (e == 0 && res != null) r = MakePasswd(res); return e == 0 && res == null ? 2 : e; });
            return r ?? throw new PyException(PyBaseException.Create(PyBaseException.KeyErrorType, PyStr.Of($"getpwnam(): name not found: {Ops.Repr(name)}")));
        });
        m.AddFn("getpwall", (a, k) =>
        {
            var l = new PyList();
            setpwent();
            try { for (Passwd* p = getpwent(); p != null; p = getpwent()) l.Append(MakePasswd(p)); }
            finally { endpwent(); }
            return l;
        });
        return m;
    }

    public static PyModule CreateGrp()
    {
        var m = new PyModule("grp");
        m.Add("struct_group", StructGroup.Type);
        m.AddFn("getgrgid", (a, k) =>
        {
            var idArg = Ops.Arg(a, k, 0, "id") ?? throw Ops.TypeError("getgrgid() missing required argument 'id' (pos 1)");
            uint gid = Id(idArg, "getgrgid(): gid");
            PyObject? r = null;
            Call((b, n) => { Group gr; Group* res; int e = getgrgid_r(gid, &gr, b, n, &res); if (e == 0 && res != null) r = MakeGroup(res); return e == 0 && res == null ? 2 : e; });
            return r ?? throw new PyException(PyBaseException.Create(PyBaseException.KeyErrorType, PyStr.Of($"getgrgid(): gid not found: {Ops.Repr(idArg)}")));
        });
        m.AddFn("getgrnam", (a, k) =>
        {
            var nameArg = Ops.Arg(a, k, 0, "name") ?? throw Ops.TypeError("getgrnam() missing required argument 'name' (pos 1)");
            if (nameArg is not PyStr name) throw Ops.TypeError($"getgrnam() argument 'name' must be str, not {nameArg.Type.Name}");
            var z = Fs.Encode(name.Value, true);
            if (Array.IndexOf(z, (byte)0) < z.Length - 1) throw Ops.ValueError("embedded null character");
            PyObject? r = null;
            Call((b, n) => { Group gr; Group* res; int e; fixed (byte* nz = z) e = getgrnam_r(nz, &gr, b, n, &res); if (e == 0 && res != null) r = MakeGroup(res); return e == 0 && res == null ? 2 : e; });
            return r ?? throw new PyException(PyBaseException.Create(PyBaseException.KeyErrorType, PyStr.Of($"getgrnam(): name not found: {Ops.Repr(name)}")));
        });
        m.AddFn("getgrall", (a, k) =>
        {
            var l = new PyList();
            setgrent();
            try { for (Group* g = getgrent(); g != null; g = getgrent()) l.Append(MakeGroup(g)); }
            finally { endgrent(); }
            return l;
        });
        return m;
    }
}
