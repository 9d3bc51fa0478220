using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Invisible.Python.Modules.Posix;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Modules.Socket;

/// <summary>
/// CPython's <c>_socket</c> (Modules/socketmodule.c) on Linux over libc: the <c>socket</c> type (Lib's
/// <c>socket.socket</c> subclasses it), socketpair, name resolution (getaddrinfo, getnameinfo, gethostbyname...),
/// inet_aton/ntoa/pton/ntop, byte-order helpers, the default timeout (per interpreter) and the constants. Messages
/// and error types are CPython's: OSError subclasses by errno, <c>gaierror</c>/<c>herror</c>, TimeoutError "timed out".
/// </summary>
public static unsafe class SocketModule
{
    private static readonly ArgParser InitArgs = new("socket", "family=-1, type=-1, proto=-1, fileno=None");
    private static readonly ArgParser RecvArgs = new("recv", "bufsize, flags=0, /");
    private static readonly ArgParser RecvIntoArgs = new("recv_into", "buffer, nbytes=0, flags=0");
    private static readonly ArgParser RecvFromArgs = new("recvfrom", "bufsize, flags=0, /");
    private static readonly ArgParser RecvFromIntoArgs = new("recvfrom_into", "buffer, nbytes=0, flags=0");
    private static readonly ArgParser SendArgs = new("send", "data, flags=0, /");
    private static readonly ArgParser SendAllArgs = new("sendall", "data, flags=0, /");
    private static readonly ArgParser ListenArgs = new("listen", "backlog=128, /");
    private static readonly ArgParser GetSockOptArgs = new("getsockopt", "level, option, buflen=0, /");
    private static readonly ArgParser SetSockOptArgs = new("setsockopt", "level, option, value, optlen=None, /");
    private static readonly ArgParser GetAddrInfoArgs = new("getaddrinfo", "host, port, family=0, type=0, proto=0, flags=0");
    private static readonly ArgParser GetNameInfoArgs = new("getnameinfo", "sockaddr, flags, /");
    private static readonly ArgParser SocketPairArgs = new("socketpair", "family=1, type=1, proto=0, /");
    private static readonly ArgParser ServByNameArgs = new("getservbyname", "servicename, protocolname=None, /");
    private static readonly ArgParser ServByPortArgs = new("getservbyport", "port, protocolname=None, /");

    private const int SOCK_CLOEXEC = 0x80000;

    private static PyType? s_socketType, s_gaierror, s_herror;
    private static readonly object TypesGate = new();

    private sealed class State { public double DefaultTimeout = -1; }
    private static readonly ConditionalWeakTable<InterpreterState, State> States = new();

    /// <summary>The interpreter's socket.getdefaulttimeout() in seconds (negative: None).</summary>
    internal static double DefaultTimeout => ThreadState.CurrentOrNull is { } ts && States.TryGetValue(ts.Interp, out var s) ? s.DefaultTimeout : -1;

    private static PyType GaiErrorType { get { lock (TypesGate) return s_gaierror ??= new PyType("gaierror", PyBaseException.OSErrorType, null) { ModuleName = "socket" }; } }
    private static PyType HErrorType { get { lock (TypesGate) return s_herror ??= new PyType("herror", PyBaseException.OSErrorType, null) { ModuleName = "socket" }; } }
    private static PyType SocketType { get { lock (TypesGate) return s_socketType ??= MakeSocketType(); } }

    internal static PyException GaiError(int code)
    {
        if (code == -11 /* EAI_SYSTEM */) return Fs.LastError();
        var msg = Marshal.PtrToStringUTF8((nint)Native.gai_strerror(code)) ?? "unknown error";
        return new PyException(PyBaseException.Create(GaiErrorType, PyInt.Get(code), PyStr.Of(msg)));
    }

    public static PyModule Create(InterpreterState interp)
    {
        States.GetValue(interp, _ => new State());
        var m = new PyModule("_socket");
        var sock = SocketType;
        m.Add("socket", sock);
        m.Add("SocketType", sock);
        m.Add("error", PyBaseException.OSErrorType);
        m.Add("timeout", PyBaseException.All["TimeoutError"]);
        m.Add("gaierror", GaiErrorType);
        m.Add("herror", HErrorType);
        m.Add("has_ipv6", PyBool.True);
        foreach (var (name, value) in SocketConstants.All) m.Add(name, PyInt.Get(value));
        var none = PyNone.Instance;

        m.AddFn("getdefaulttimeout", (a, k) =>
        {
            ArgParser.NoArgs("getdefaulttimeout", a, k);
            double t = States.GetValue(interp, _ => new State()).DefaultTimeout;
            return t < 0 ? none : new PyFloat(t);
        });
        m.AddFn("setdefaulttimeout", (a, k) =>
        {
            ArgParser.CheckPositional("setdefaulttimeout", a, k, 1, 1);
            States.GetValue(interp, _ => new State()).DefaultTimeout = TimeoutArg(a[0]);
            return none;
        });
        m.AddFn("socketpair", (a, k) =>
        {
            var args = SocketPairArgs.Parse(a, k);
            int family = args.Int(0, 1), type = args.Int(1, 1), proto = args.Int(2, 0);
            int* sv = stackalloc int[2];
            if (Native.socketpair(family, type | SOCK_CLOEXEC, proto, sv) < 0) throw Fs.LastError();
            var s0 = new SocketObject(sock); var s1 = new SocketObject(sock);
            s0.Init(family, type, proto, PyInt.Get(sv[0]));
            s1.Init(family, type, proto, PyInt.Get(sv[1]));
            return PyTuple.Of(s0, s1);
        });
        m.AddFn("dup", (a, k) =>
        {
            ArgParser.CheckPositional("dup", a, k, 1, 1);
            int fd = Native.fcntl(FdArg(a[0]), 1030 /* F_DUPFD_CLOEXEC */, 0);
            if (fd < 0) throw Fs.LastError();
            return PyInt.Get(fd);
        });
        m.AddFn("close", (a, k) =>
        {
            ArgParser.CheckPositional("close", a, k, 1, 1);
            if (Native.close(FdArg(a[0])) < 0 && Fs.Errno != 104) throw Fs.LastError();
            return none;
        });
        m.AddFn("getaddrinfo", (a, k) => GetAddrInfoFn(GetAddrInfoArgs.Parse(a, k)));
        m.AddFn("getnameinfo", (a, k) =>
        {
            var args = GetNameInfoArgs.Parse(a, k);
            return GetNameInfo(args[0]!, args.Int(1));
        });
        m.AddFn("gethostname", (a, k) =>
        {
            ArgParser.NoArgs("gethostname", a, k);
            byte* buf = stackalloc byte[1025];
            if (Native.gethostname(buf, 1024) < 0) throw Fs.LastError();
            buf[1024] = 0;
            return Fs.DecodeStr(new ReadOnlySpan<byte>(buf, StrLen(buf)));
        });
        m.AddFn("sethostname", (a, k) =>
        {
            ArgParser.CheckPositional("sethostname", a, k, 1, 1);
            var name = a[0] is PyStr s ? Fs.Encode(s.Value, false) : Buffers.ToArray(a[0]);
            fixed (byte* p = name) if (Native.sethostname(p, name.Length) < 0) throw Fs.LastError();
            return none;
        });
        m.AddFn("gethostbyname", (a, k) =>
        {
            ArgParser.CheckPositional("gethostbyname", a, k, 1, 1);
            var host = HostStr(a[0], "gethostbyname");
            Span<byte> raw = stackalloc byte[4];
            SocketAddress.Resolve(host, SocketAddress.AF_INET, raw);
            return PyStr.Of(SocketAddress.Ntop(SocketAddress.AF_INET, raw));
        });
        m.AddFn("gethostbyname_ex", (a, k) =>
        {
            ArgParser.CheckPositional("gethostbyname_ex", a, k, 1, 1);
            return HostEx(HostStr(a[0], "gethostbyname_ex"), SocketAddress.AF_INET);
        });
        m.AddFn("gethostbyaddr", (a, k) =>
        {
            ArgParser.CheckPositional("gethostbyaddr", a, k, 1, 1);
            var host = HostStr(a[0], "gethostbyaddr");
            // the address first (a name is resolved to one), then its name
            var infos = GetAddrInfo(host, null, 0, 1, 0, 0);
            if (infos.Count == 0) throw GaiError(-2);
            var (fam, _, _, _, sa) = infos[0];
            byte* name = stackalloc byte[1025];
            int r;
            fixed (byte* p = sa) r = Native.getnameinfo(p, fam == SocketAddress.AF_INET ? 16u : 28u, name, 1025, null, 0, 8 /* NI_NAMEREQD */);
            if (r != 0) throw new PyException(PyBaseException.Create(HErrorType, PyInt.Get(1), PyStr.Of("Unknown host")));
            var ip = SocketAddress.Ntop(fam, sa.AsSpan(fam == SocketAddress.AF_INET ? 4 : 8, fam == SocketAddress.AF_INET ? 4 : 16));
            return PyTuple.Of(PyStr.Of(new string((sbyte*)name)), new PyList(), new PyList(new PyObject[] { PyStr.Of(ip) }));
        });
        m.AddFn("getservbyname", (a, k) =>
        {
            var args = ServByNameArgs.Parse(a, k);
            var name = Encoding.UTF8.GetBytes(args.Str(0) + "\0");
            var proto = args.StrOrNone(1) is { } ps ? Encoding.UTF8.GetBytes(ps + "\0") : null;
            byte* ent;
            fixed (byte* n = name) fixed (byte* p = proto) ent = Native.getservbyname(n, p);
            if (ent == null) throw Ops.OSError("service/proto not found");
            return PyInt.Get(BinaryPrimitives.ReverseEndianness((ushort)*(int*)(ent + 16)));
        });
        m.AddFn("getservbyport", (a, k) =>
        {
            var args = ServByPortArgs.Parse(a, k);
            int port = args.Int(0);
            if (port < 0 || port > 0xffff) throw Ops.OverflowError("getservbyport: port must be 0-65535.");
            var proto = args.StrOrNone(1) is { } ps ? Encoding.UTF8.GetBytes(ps + "\0") : null;
            byte* ent;
            fixed (byte* p = proto) ent = Native.getservbyport(BinaryPrimitives.ReverseEndianness((ushort)port), p);
            if (ent == null) throw Ops.OSError("port/proto not found");
            return PyStr.Of(new string(*(sbyte**)ent));
        });
        m.AddFn("getprotobyname", (a, k) =>
        {
            ArgParser.CheckPositional("getprotobyname", a, k, 1, 1);
            if (a[0] is not PyStr s) throw Ops.TypeError($"getprotobyname() argument must be str, not {a[0].Type.Name}");
            var name = Encoding.UTF8.GetBytes(s.Value + "\0");
            byte* ent;
            fixed (byte* n = name) ent = Native.getprotobyname(n);
            if (ent == null) throw Ops.OSError("protocol not found");
            return PyInt.Get(*(int*)(ent + 16));
        });
        m.AddFn("inet_aton", (a, k) =>
        {
            ArgParser.CheckPositional("inet_aton", a, k, 1, 1);
            if (a[0] is not PyStr s) throw Ops.TypeError($"inet_aton() argument must be str, not {a[0].Type.Name}");
            var raw = new byte[4];
            if (!InetAton(s.Value, raw)) throw Ops.OSError("illegal IP address string passed to inet_aton");
            return new PyBytes(raw);
        });
        m.AddFn("inet_ntoa", (a, k) =>
        {
            ArgParser.CheckPositional("inet_ntoa", a, k, 1, 1);
            var raw = Buffers.Read(a[0]);
            if (raw.Length != 4) throw Ops.OSError("packed IP wrong length for inet_ntoa");
            return PyStr.Of($"{raw[0]}.{raw[1]}.{raw[2]}.{raw[3]}");
        });
        m.AddFn("inet_pton", (a, k) =>
        {
            ArgParser.CheckPositional("inet_pton", a, k, 2, 2);
            int af = ArgParser.ToCInt(a[0]);
            if (a[1] is not PyStr s) throw Ops.TypeError($"inet_pton() argument 2 must be str, not {a[1].Type.Name}");
            if (af != SocketAddress.AF_INET && af != SocketAddress.AF_INET6) throw Fs.Error(97); // EAFNOSUPPORT
            var raw = new byte[af == SocketAddress.AF_INET ? 4 : 16];
            if (!SocketAddress.TryPton(af, s.Value, raw)) throw Ops.OSError("illegal IP address string passed to inet_pton");
            return new PyBytes(raw);
        });
        m.AddFn("inet_ntop", (a, k) =>
        {
            ArgParser.CheckPositional("inet_ntop", a, k, 2, 2);
            int af = ArgParser.ToCInt(a[0]);
            var raw = Buffers.Read(a[1]);
            if (af == SocketAddress.AF_INET) { if (raw.Length != 4) throw Ops.ValueError("invalid length of packed IP address string"); }
            else if (af == SocketAddress.AF_INET6) { if (raw.Length != 16) throw Ops.ValueError("invalid length of packed IP address string"); }
            else throw Ops.ValueError($"unknown address family {af}");
            return PyStr.Of(SocketAddress.Ntop(af, raw));
        });
        m.AddFn("htons", (a, k) => { ArgParser.CheckPositional("htons", a, k, 1, 1); return PyInt.Get(BinaryPrimitives.ReverseEndianness(U16(a[0], "htons"))); });
        m.AddFn("ntohs", (a, k) => { ArgParser.CheckPositional("ntohs", a, k, 1, 1); return PyInt.Get(BinaryPrimitives.ReverseEndianness(U16(a[0], "ntohs"))); });
        m.AddFn("htonl", (a, k) => { ArgParser.CheckPositional("htonl", a, k, 1, 1); return PyInt.Get((long)BinaryPrimitives.ReverseEndianness(U32(a[0]))); });
        m.AddFn("ntohl", (a, k) => { ArgParser.CheckPositional("ntohl", a, k, 1, 1); return PyInt.Get((long)BinaryPrimitives.ReverseEndianness(U32(a[0]))); });
        m.AddFn("CMSG_LEN", (a, k) => { ArgParser.CheckPositional("CMSG_LEN", a, k, 1, 1); return PyInt.Get(16 + CmsgLenArg(a[0], "CMSG_LEN")); });
        m.AddFn("CMSG_SPACE", (a, k) => { ArgParser.CheckPositional("CMSG_SPACE", a, k, 1, 1); return PyInt.Get(16 + ((CmsgLenArg(a[0], "CMSG_SPACE") + 7) & ~7L)); });
        m.AddFn("if_nametoindex", (a, k) =>
        {
            ArgParser.CheckPositional("if_nametoindex", a, k, 1, 1);
            var name = a[0] is PyStr s ? Fs.Encode(s.Value, true) : Fs.Encode(Encoding.Latin1.GetString(Buffers.Read(a[0])), true);
            uint idx;
            fixed (byte* p = name) idx = Native.if_nametoindex(p);
            if (idx == 0) throw Ops.OSError("no interface with this name");
            return PyInt.Get(idx);
        });
        m.AddFn("if_indextoname", (a, k) =>
        {
            ArgParser.CheckPositional("if_indextoname", a, k, 1, 1);
            long idx = Ops.IndexValue(a[0]);
            if (idx < 0 || idx > uint.MaxValue) throw Ops.OverflowError("index is too large");
            byte* buf = stackalloc byte[17];
            if (Native.if_indextoname((uint)idx, buf) == null) throw Fs.LastError();
            return Fs.DecodeStr(new ReadOnlySpan<byte>(buf, StrLen(buf)));
        });
        return m;
    }

    private static int StrLen(byte* p) { int n = 0; while (p[n] != 0) n++; return n; }

    private static long CmsgLenArg(PyObject o, string fn)
    {
        long n = Ops.IndexValue(o);
        if (n < 0 || n > int.MaxValue - 24) throw Ops.OverflowError($"{fn}() argument out of range");
        return n;
    }

    private static ushort U16(PyObject o, string fn)
    {
        if (o is not PyInt) throw Ops.TypeError($"'{o.Type.Name}' object cannot be interpreted as an integer");
        long v = Ops.IndexValue(o);
        if (v < 0) throw Ops.OverflowError($"{fn}: can't convert negative Python int to C 16-bit unsigned integer");
        if (v > 0xffff) throw Ops.OverflowError($"{fn}: Python int too large to convert to C 16-bit unsigned integer");
        return (ushort)v;
    }

    private static uint U32(PyObject o)
    {
        if (o is not PyInt) throw Ops.TypeError($"expected int, {o.Type.Name} found");
        long v = Ops.IndexValue(o);
        if (v < 0) throw Ops.OverflowError("can't convert negative value to unsigned int");
        if (v > uint.MaxValue) throw Ops.OverflowError("int larger than 32 bits");
        return (uint)v;
    }

    private static int FdArg(PyObject o)
    {
        long v = Ops.IndexValue(o);
        if (v < int.MinValue || v > int.MaxValue) throw Ops.OverflowError("signed integer is greater than maximum");
        return (int)v;
    }

    private static string HostStr(PyObject o, string fn) => o switch
    {
        PyStr s => s.Value,
        PyBytes b => Encoding.Latin1.GetString(Buffers.Read(b)),
        _ => throw Ops.TypeError($"{fn}() argument 1 must be str, bytes or bytearray, not {o.Type.Name}"),
    };

    /// <summary>inet_aton's permissive forms (a, a.b, a.b.c, a.b.c.d; decimal, octal, hex parts), as glibc's.</summary>
    private static bool InetAton(string s, byte[] raw)
    {
        var parts = s.Split('.');
        if (parts.Length > 4 || s.Length == 0) return false;
        var vals = new ulong[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            var p = parts[i];
            if (p.Length == 0) return false;
            int b = 10, start = 0;
            if (p.Length > 1 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) { b = 16; start = 2; }
            else if (p.Length > 1 && p[0] == '0') { b = 8; start = 1; }
            ulong v = 0;
            if (start == p.Length && b == 16) return false;
            for (int j = start; j < p.Length; j++)
            {
                int d = HexVal(p[j]);
                if (d < 0 || d >= b) return false;
                v = v * (ulong)b + (ulong)d;
                if (v > uint.MaxValue) return false;
            }
            vals[i] = v;
        }
        for (int i = 0; i < vals.Length - 1; i++) if (vals[i] > 255) return false;
        ulong last = vals[^1];
        int rest = 4 - (vals.Length - 1);
        if (rest < 4 && last >= 1UL << (8 * rest)) return false;
        uint addr = 0;
        for (int i = 0; i < vals.Length - 1; i++) addr |= (uint)vals[i] << (24 - 8 * i);
        addr |= (uint)last;
        BinaryPrimitives.WriteUInt32BigEndian(raw, addr);
        return true;
    }

    private static int HexVal(char c) => c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

    /// <summary>A timeout argument: None (-1) or a non-negative number of seconds.</summary>
    internal static double TimeoutArg(PyObject o)
    {
        if (o == PyNone.Instance) return -1;
        double t;
        if (o is PyFloat f) t = f.V;
        else if (o is PyInt || o.Type.Lookup(PyStr.S___index__) != null) t = Ops.IndexValue(o);
        else if (o.Type.Lookup(PyStr.Intern("__float__")) != null) t = ArgParser.ToDouble(o);
        else throw Ops.TypeError($"'{o.Type.Name}' object cannot be interpreted as an integer");
        if (double.IsNaN(t)) throw Ops.ValueError("Invalid value NaN (not a number)");
        if (t < 0) throw Ops.ValueError("Timeout value out of range");
        return t;
    }

    // ---------------- name resolution ----------------

    /// <summary>getaddrinfo(3): (family, type, proto, canonname, raw sockaddr) for each result.</summary>
    internal static List<(int Family, int Type, int Proto, string Canon, byte[] Addr)> GetAddrInfo(string? host, string? port, int family, int type, int proto, int flags)
    {
        var hints = new Native.AddrInfo { Family = family, SockType = type, Protocol = proto, Flags = flags };
        Native.AddrInfo* res = null;
        var h = host == null ? null : Encoding.UTF8.GetBytes(host + "\0");
        var p = port == null ? null : Encoding.UTF8.GetBytes(port + "\0");
        int r;
        var ts = PosixModule.Lend(); // name resolution may wait on the network
        fixed (byte* hp = h) fixed (byte* pp = p) r = Native.getaddrinfo(hp, pp, &hints, &res);
        int errno = Marshal.GetLastPInvokeError();
        PosixModule.Reclaim(ts);
        if (r != 0) { if (r == -11) throw Fs.Error(errno); throw GaiError(r); }
        var list = new List<(int, int, int, string, byte[])>();
        try
        {
            for (var ai = res; ai != null; ai = ai->Next)
                list.Add((ai->Family, ai->SockType, ai->Protocol, ai->CanonName == null ? "" : new string((sbyte*)ai->CanonName),
                    new ReadOnlySpan<byte>(ai->Addr, (int)ai->AddrLen).ToArray()));
        }
        finally { Native.freeaddrinfo(res); }
        return list;
    }

    private static PyObject GetAddrInfoFn(Args args)
    {
        var hostObj = args[0]!;
        var portObj = args[1]!;
        string? host = hostObj switch
        {
            PyNone => null,
            PyStr s => IdnaHost(s.Value),
            PyBytes b => Encoding.Latin1.GetString(Buffers.Read(b)),
            _ => throw Ops.TypeError("getaddrinfo() argument 1 must be string or None"),
        };
        string? port = portObj switch
        {
            PyNone => null,
            PyInt i => Ops.IndexValue(i).ToString(System.Globalization.CultureInfo.InvariantCulture),
            PyStr s => s.Value,
            PyBytes b => Encoding.Latin1.GetString(Buffers.Read(b)),
            _ => throw Ops.OSError("Int or String expected"),
        };
        int family = args.Int(2), type = args.Int(3), proto = args.Int(4), flags = args.Int(5);
        var result = new PyList();
        foreach (var (fam, st, pr, canon, sa) in GetAddrInfo(host, port, family, type, proto, flags))
            result.Append(PyTuple.Of(PyInt.Get(fam), PyInt.Get(st), PyInt.Get(pr), PyStr.Of(canon), SocketAddress.Make(sa, sa.Length)));
        return result;
    }

    private static string IdnaHost(string host)
    {
        foreach (char c in host) if (c > 127) return new System.Globalization.IdnMapping().GetAscii(host);
        return host;
    }

    private static PyObject GetNameInfo(PyObject sockaddr, int flags)
    {
        if (sockaddr is not PyTuple t) throw Ops.TypeError("getnameinfo() argument 1 must be a tuple");
        if (t.Items.Length < 2 || t.Items.Length > 4) throw Ops.TypeError("getnameinfo(): illegal sockaddr argument");
        if (t.Items[0] is not PyStr host) throw Ops.TypeError($"getnameinfo(): illegal sockaddr argument");
        long port = Ops.IndexValue(t.Items[1]);
        long flow = t.Items.Length > 2 ? Ops.IndexValue(t.Items[2]) : 0;
        long scope = t.Items.Length > 3 ? Ops.IndexValue(t.Items[3]) : 0;
        if (flow < 0 || flow > 0xfffff) throw Ops.OverflowError("getnameinfo(): flowinfo must be 0-1048575.");
        var infos = GetAddrInfo(host.Value, port.ToString(System.Globalization.CultureInfo.InvariantCulture), 0, 2 /* SOCK_DGRAM */, 0, 4 /* AI_NUMERICHOST */);
        if (infos.Count != 1) throw Ops.OSError("sockaddr resolved to multiple addresses");
        var (fam, _, _, _, sa) = infos[0];
        if (fam == SocketAddress.AF_INET)
        {
            if (t.Items.Length != 2) throw Ops.OSError("IPv4 sockaddr must be 2 tuple");
        }
        else if (fam == SocketAddress.AF_INET6)
        {
            BinaryPrimitives.WriteUInt32BigEndian(sa.AsSpan(4), (uint)flow);
            BinaryPrimitives.WriteUInt32LittleEndian(sa.AsSpan(24), (uint)scope);
        }
        byte* hbuf = stackalloc byte[1025];
        byte* sbuf = stackalloc byte[32];
        int r;
        fixed (byte* p = sa) r = Native.getnameinfo(p, (uint)sa.Length, hbuf, 1025, sbuf, 32, flags);
        if (r != 0) throw GaiError(r);
        return PyTuple.Of(PyStr.Of(new string((sbyte*)hbuf)), PyStr.Of(new string((sbyte*)sbuf)));
    }

    private static PyObject HostEx(string host, int family)
    {
        var infos = GetAddrInfo(host, null, family, 1, 0, 2 /* AI_CANONNAME */);
        string canon = infos.Count > 0 && infos[0].Canon.Length > 0 ? infos[0].Canon : host;
        var addrs = new PyList();
        foreach (var (fam, _, _, _, sa) in infos)
            if (fam == family) addrs.Append(PyStr.Of(SocketAddress.Ntop(fam, sa.AsSpan(4, 4))));
        return PyTuple.Of(PyStr.Of(canon), new PyList(), addrs);
    }

    // ---------------- the socket type ----------------

    private static SocketObject S(PyObject o) => o as SocketObject ?? throw Ops.TypeError($"descriptor requires a '_socket.socket' object but received a '{o.Type.Name}'");

    private static PyObject Prop(string name, Func<SocketObject, PyObject> get) =>
        new PyProperty(new PyBuiltinFunction(name, (a, k) => get(S(a[0]))), null, null, null);

    private struct IoState { public byte* Buf; public nint Len; public int Flags; public byte* Addr; public uint AddrLen; }

    private static long DoRecv(SocketObject s, void* st) { var x = (IoState*)st; return Native.recv(s.Fd, x->Buf, x->Len, x->Flags); }
    private static long DoSend(SocketObject s, void* st) { var x = (IoState*)st; return Native.send(s.Fd, x->Buf, x->Len, x->Flags | 0x4000 /* MSG_NOSIGNAL */); }
    private static long DoSendTo(SocketObject s, void* st) { var x = (IoState*)st; return Native.sendto(s.Fd, x->Buf, x->Len, x->Flags | 0x4000, x->Addr, x->AddrLen); }
    private static long DoRecvFrom(SocketObject s, void* st) { var x = (IoState*)st; uint l = SocketAddress.StorageSize; long r = Native.recvfrom(s.Fd, x->Buf, x->Len, x->Flags, x->Addr, &l); x->AddrLen = l; return r; }
    private static long DoAccept(SocketObject s, void* st) { var x = (IoState*)st; uint l = SocketAddress.StorageSize; long r = Native.accept4(s.Fd, x->Addr, &l, SOCK_CLOEXEC); x->AddrLen = l; return r; }

    private static long Recv(SocketObject s, Span<byte> buf, int flags)
    {
        fixed (byte* p = buf)
        {
            var st = new IoState { Buf = p, Len = buf.Length, Flags = flags };
            return s.Call(false, &DoRecv, &st);
        }
    }

    private static (long N, PyObject Addr) RecvFrom(SocketObject s, Span<byte> buf, int flags)
    {
        var addr = new byte[SocketAddress.StorageSize];
        fixed (byte* p = buf) fixed (byte* ap = addr)
        {
            var st = new IoState { Buf = p, Len = buf.Length, Flags = flags, Addr = ap };
            long n = s.Call(false, &DoRecvFrom, &st);
            return (n, st.AddrLen == 0 ? PyNone.Instance : SocketAddress.Make(addr, (int)st.AddrLen));
        }
    }

    private static long Send(SocketObject s, ReadOnlySpan<byte> data, int flags)
    {
        fixed (byte* p = data)
        {
            var st = new IoState { Buf = p, Len = data.Length, Flags = flags };
            return s.Call(true, &DoSend, &st);
        }
    }

    private static PyType MakeSocketType()
    {
        var t = new PyType("socket", PyType.ObjectType, (cls, a, k) => new SocketObject(cls)) { ModuleName = "_socket" };
        var none = PyNone.Instance;
        t.AddMethod("__init__", (a, k) =>
        {
            var args = InitArgs.Parse(a.Slice(1), k);
            S(a[0]).Init(args.Int(0, -1), args.Int(1, -1), args.Int(2, -1), args[3]);
            return none;
        });
        t.AddMethod("__repr__", (a, k) => PyStr.Of(S(a[0]).Repr()));
        t.SetMember("family", Prop("family", s => PyInt.Get(s.Family)));
        t.SetMember("type", Prop("type", s => PyInt.Get(s.SockType)));
        t.SetMember("proto", Prop("proto", s => PyInt.Get(s.Proto)));
        t.SetMember("timeout", Prop("timeout", s => s.Timeout < 0 ? none : new PyFloat(s.Timeout)));
        t.AddMethod("fileno", (a, k) => { ArgParser.NoArgs("fileno", a.Slice(1), k); return PyInt.Get(S(a[0]).Fd); });
        t.AddMethod("close", (a, k) => { ArgParser.NoArgs("close", a.Slice(1), k); S(a[0]).Close(); return none; });
        t.AddMethod("detach", (a, k) =>
        {
            ArgParser.NoArgs("detach", a.Slice(1), k);
            var s = S(a[0]);
            int fd = s.Fd; s.Fd = -1;
            return PyInt.Get(fd);
        });
        t.AddMethod("gettimeout", (a, k) => { ArgParser.NoArgs("gettimeout", a.Slice(1), k); var s = S(a[0]); return s.Timeout < 0 ? none : new PyFloat(s.Timeout); });
        t.AddMethod("settimeout", (a, k) =>
        {
            ArgParser.CheckPositional("settimeout", a.Slice(1), k, 1, 1);
            S(a[0]).SetTimeout(TimeoutArg(a[1]));
            return none;
        });
        t.AddMethod("getblocking", (a, k) => { ArgParser.NoArgs("getblocking", a.Slice(1), k); var s = S(a[0]); s.CheckOpen(); return PyBool.Of(s.Timeout != 0); });
        t.AddMethod("setblocking", (a, k) =>
        {
            ArgParser.CheckPositional("setblocking", a.Slice(1), k, 1, 1);
            var s = S(a[0]);
            s.CheckOpen();
            s.SetTimeout(Ops.IsTrue(a[1]) ? -1 : 0);
            return none;
        });
        t.AddMethod("bind", (a, k) =>
        {
            ArgParser.CheckPositional("bind", a.Slice(1), k, 1, 1);
            var s = S(a[0]);
            var buf = new byte[SocketAddress.StorageSize];
            uint len = SocketAddress.Parse(s.Family, a[1], buf, "bind");
            s.CheckOpen();
            fixed (byte* p = buf) if (Native.bind(s.Fd, p, len) < 0) throw Fs.LastError();
            return none;
        });
        t.AddMethod("listen", (a, k) =>
        {
            var args = ListenArgs.Parse(a.Slice(1), k);
            var s = S(a[0]);
            int backlog = Math.Max(0, args.Int(0, Math.Min(128, 4096)));
            s.CheckOpen();
            if (Native.listen(s.Fd, backlog) < 0) throw Fs.LastError();
            return none;
        });
        t.AddMethod("_accept", (a, k) =>
        {
            ArgParser.NoArgs("_accept", a.Slice(1), k);
            var s = S(a[0]);
            var addr = new byte[SocketAddress.StorageSize];
            fixed (byte* ap = addr)
            {
                var st = new IoState { Addr = ap };
                long fd = s.Call(false, &DoAccept, &st);
                return PyTuple.Of(PyInt.Get(fd), SocketAddress.Make(addr, (int)st.AddrLen));
            }
        });
        t.AddMethod("connect", (a, k) =>
        {
            ArgParser.CheckPositional("connect", a.Slice(1), k, 1, 1);
            var s = S(a[0]);
            var buf = new byte[SocketAddress.StorageSize];
            uint len = SocketAddress.Parse(s.Family, a[1], buf, "connect");
            s.Connect(buf, len, true);
            return none;
        });
        t.AddMethod("connect_ex", (a, k) =>
        {
            ArgParser.CheckPositional("connect_ex", a.Slice(1), k, 1, 1);
            var s = S(a[0]);
            var buf = new byte[SocketAddress.StorageSize];
            uint len = SocketAddress.Parse(s.Family, a[1], buf, "connect_ex");
            return PyInt.Get(s.Connect(buf, len, false));
        });
        t.AddMethod("recv", (a, k) =>
        {
            var args = RecvArgs.Parse(a.Slice(1), k);
            long n = args.Ssize(0);
            if (n < 0) throw Ops.ValueError("negative buffersize in recv");
            var buf = new byte[n];
            long got = Recv(S(a[0]), buf, args.Int(1));
            return new PyBytes(got == n ? buf : buf.AsSpan(0, (int)got).ToArray());
        });
        t.AddMethod("recv_into", (a, k) =>
        {
            var args = RecvIntoArgs.Parse(a.Slice(1), k);
            var buf = Buffers.Write(args[0]!);
            long n = args.Ssize(1);
            if (n < 0) throw Ops.ValueError("negative buffersize in recv_into");
            if (n == 0) n = buf.Length;
            if (n > buf.Length) throw Ops.ValueError("buffer too small for requested bytes");
            return PyInt.Get(Recv(S(a[0]), buf.Slice(0, (int)n), args.Int(2)));
        });
        t.AddMethod("recvfrom", (a, k) =>
        {
            var args = RecvFromArgs.Parse(a.Slice(1), k);
            long n = args.Ssize(0);
            if (n < 0) throw Ops.ValueError("negative buffersize in recvfrom");
            var buf = new byte[n];
            var (got, addr) = RecvFrom(S(a[0]), buf, args.Int(1));
            return PyTuple.Of(new PyBytes(got == n ? buf : buf.AsSpan(0, (int)got).ToArray()), addr);
        });
        t.AddMethod("recvfrom_into", (a, k) =>
        {
            var args = RecvFromIntoArgs.Parse(a.Slice(1), k);
            var buf = Buffers.Write(args[0]!);
            long n = args.Ssize(1);
            if (n < 0) throw Ops.ValueError("negative buffersize in recvfrom_into");
            if (n == 0) n = buf.Length;
            if (n > buf.Length) throw Ops.ValueError("nbytes is greater than the length of the buffer");
            var (got, addr) = RecvFrom(S(a[0]), buf.Slice(0, (int)n), args.Int(2));
            return PyTuple.Of(PyInt.Get(got), addr);
        });
        t.AddMethod("send", (a, k) =>
        {
            var args = SendArgs.Parse(a.Slice(1), k);
            return PyInt.Get(Send(S(a[0]), Buffers.Read(args[0]!), args.Int(1)));
        });
        t.AddMethod("sendall", (a, k) =>
        {
            var args = SendAllArgs.Parse(a.Slice(1), k);
            var s = S(a[0]);
            var data = Buffers.Read(args[0]!).ToArray();
            int flags = args.Int(1);
            int off = 0;
            while (off < data.Length) off += (int)Send(s, data.AsSpan(off), flags);
            return none;
        });
        t.AddMethod("sendto", (a, k) =>
        {
            Ops.NoKw(k, "sendto");
            int n = a.Length - 1;
            if (n < 2 || n > 3) throw Ops.TypeError($"sendto() takes 2 or 3 arguments ({n} given)");
            var s = S(a[0]);
            var data = Buffers.Read(a[1]).ToArray();
            int flags = n == 3 ? ArgParser.ToCInt(a[2]) : 0;
            var addr = new byte[SocketAddress.StorageSize];
            uint alen = SocketAddress.Parse(s.Family, a[n], addr, "sendto");
            fixed (byte* p = data) fixed (byte* ap = addr)
            {
                var st = new IoState { Buf = p, Len = data.Length, Flags = flags, Addr = ap, AddrLen = alen };
                return PyInt.Get(s.Call(true, &DoSendTo, &st));
            }
        });
        t.AddMethod("shutdown", (a, k) =>
        {
            ArgParser.CheckPositional("shutdown", a.Slice(1), k, 1, 1);
            var s = S(a[0]);
            int how = ArgParser.ToCInt(a[1]);
            s.CheckOpen();
            if (Native.shutdown(s.Fd, how) < 0) throw Fs.LastError();
            return none;
        });
        t.AddMethod("getsockname", (a, k) => AddressOf(a, k, "getsockname", false));
        t.AddMethod("getpeername", (a, k) => AddressOf(a, k, "getpeername", true));
        t.AddMethod("getsockopt", (a, k) =>
        {
            var args = GetSockOptArgs.Parse(a.Slice(1), k);
            var s = S(a[0]);
            int level = args.Int(0), opt = args.Int(1), buflen = args.Int(2);
            s.CheckOpen();
            if (buflen == 0)
            {
                int v = 0; uint l = 4;
                if (Native.getsockopt(s.Fd, level, opt, (byte*)&v, &l) < 0) throw Fs.LastError();
                return PyInt.Get(v);
            }
            if (buflen < 0 || buflen > 1024) throw Ops.OSError("getsockopt buflen out of range");
            var buf = new byte[buflen];
            uint len = (uint)buflen;
            fixed (byte* p = buf) if (Native.getsockopt(s.Fd, level, opt, p, &len) < 0) throw Fs.LastError();
            return new PyBytes(buf.AsSpan(0, (int)len).ToArray());
        });
        t.AddMethod("setsockopt", (a, k) =>
        {
            var args = SetSockOptArgs.Parse(a.Slice(1), k);
            var s = S(a[0]);
            int level = args.Int(0), opt = args.Int(1);
            var value = args[2]!;
            int r;
            s.CheckOpen();
            if (value == PyNone.Instance)
            {
                if (args[3] is not { } ol || ol == PyNone.Instance) throw Ops.TypeError("setsockopt() takes exactly 4 arguments (3 given)");
                r = Native.setsockopt(s.Fd, level, opt, null, (uint)ArgParser.ToCInt(ol));
            }
            else if (value is PyInt)
            {
                int v = ArgParser.ToCInt(value);
                r = Native.setsockopt(s.Fd, level, opt, (byte*)&v, 4);
            }
            else
            {
                var data = Buffers.Read(value);
                fixed (byte* p = data) r = Native.setsockopt(s.Fd, level, opt, p, (uint)data.Length);
            }
            if (r < 0) throw Fs.LastError();
            return none;
        });
        return t;
    }

    private static PyObject AddressOf(ReadOnlySpan<PyObject> a, PyStr[]? k, string name, bool peer)
    {
        ArgParser.NoArgs(name, a.Slice(1), k);
        var s = S(a[0]);
        s.CheckOpen();
        var buf = new byte[SocketAddress.StorageSize];
        uint len = (uint)buf.Length;
        int r;
        fixed (byte* p = buf) r = peer ? Native.getpeername(s.Fd, p, &len) : Native.getsockname(s.Fd, p, &len);
        if (r < 0) throw Fs.LastError();
        if (len <= 2 && s.Family == SocketAddress.AF_UNIX) return PyStr.Of("");
        return SocketAddress.Make(buf, (int)len);
    }
}
