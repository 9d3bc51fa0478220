using System;
using System.Buffers.Binary;
using System.Text;
using Invisible.Python.Modules.Posix;
using Invisible.Python.Runtime;

namespace Invisible.Python.Modules.Socket;

/// <summary>
/// Socket addresses between Python and the kernel (CPython's getsockaddrarg and makesockaddr): AF_INET
/// <c>(host, port)</c>, AF_INET6 <c>(host, port, flowinfo, scope_id)</c>, AF_UNIX path (str or bytes; a leading NUL
/// is Linux's abstract namespace). A host name is resolved with getaddrinfo; "" is INADDR_ANY and "&lt;broadcast&gt;"
/// INADDR_BROADCAST, as in CPython.
/// </summary>
internal static unsafe class SocketAddress
{
    public const int AF_UNSPEC = 0, AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10;
    public const int StorageSize = 128; // sizeof(struct sockaddr_storage)
    private const int UnixPathMax = 108;

    /// <summary>Encodes <paramref name="addr"/> for a socket of <paramref name="family"/> into <paramref name="buf"/>
    /// (StorageSize bytes); returns the address length. <paramref name="caller"/> prefixes the messages ("bind").</summary>
    public static uint Parse(int family, PyObject addr, byte[] buf, string caller)
    {
        Array.Clear(buf);
        switch (family)
        {
            case AF_UNIX:
            {
                byte[] path;
                if (addr is PyStr s) path = Fs.Encode(s.Value, false);
                else if (Buffers.TryRead(addr, out var b)) path = b.ToArray();
                else throw Ops.TypeError($"a bytes-like object is required, not '{addr.Type.Name}'");
                if (path.Length >= UnixPathMax + (path.Length > 0 && path[0] == 0 ? 1 : 0)) throw Ops.OSError("AF_UNIX path too long");
                BinaryPrimitives.WriteUInt16LittleEndian(buf, AF_UNIX);
                path.CopyTo(buf, 2);
                // an abstract name's length is exact; a path's includes its NUL
                return (uint)(2 + path.Length + (path.Length > 0 && path[0] == 0 ? 0 : 1));
            }
            case AF_INET:
            {
                if (addr is not PyTuple t) throw Ops.TypeError($"{caller}(): AF_INET address must be tuple, not {addr.Type.Name}");
                if (t.Items.Length != 2) throw Ops.TypeError("AF_INET address must be a pair (host, port)");
                var host = HostArg(t.Items[0]);
                int port = Port(t.Items[1], caller);
                BinaryPrimitives.WriteUInt16LittleEndian(buf, AF_INET);
                BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(2), (ushort)port);
                Resolve(host, AF_INET, buf.AsSpan(4, 4));
                return 16;
            }
            case AF_INET6:
            {
                if (addr is not PyTuple t) throw Ops.TypeError($"{caller}(): AF_INET6 address must be tuple, not {addr.Type.Name}");
                if (t.Items.Length < 2 || t.Items.Length > 4) throw Ops.TypeError("AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])");
                var host = HostArg(t.Items[0]);
                int port = Port(t.Items[1], caller);
                long flow = t.Items.Length > 2 ? Ops.IndexValue(t.Items[2]) : 0;
                long scope = t.Items.Length > 3 ? Ops.IndexValue(t.Items[3]) : 0;
                if (flow < 0 || flow > 0xfffff) throw Ops.OverflowError($"{caller}(): flowinfo must be 0-1048575.");
                BinaryPrimitives.WriteUInt16LittleEndian(buf, AF_INET6);
                BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(2), (ushort)port);
                BinaryPrimitives.WriteUInt32BigEndian(buf.AsSpan(4), (uint)flow);
                Resolve(host, AF_INET6, buf.AsSpan(8, 16));
                BinaryPrimitives.WriteUInt32LittleEndian(buf.AsSpan(24), (uint)scope);
                return 28;
            }
            default:
                throw Ops.OSError($"{caller}(): bad family");
        }
    }

    private static string HostArg(PyObject o) => o switch
    {
        PyStr s => s.Value,
        PyBytes b => Encoding.Latin1.GetString(Buffers.Read(b)),
        _ => throw Ops.TypeError($"str, bytes or bytearray expected, not {o.Type.Name}"),
    };

    private static int Port(PyObject o, string caller)
    {
        if (o is not PyInt && o.Type.Lookup(PyStr.S___index__) == null) throw Ops.TypeError($"'{o.Type.Name}' object cannot be interpreted as an integer");
        long p = Ops.IndexValue(o);
        if (p < 0 || p > 65535) throw Ops.OverflowError($"{caller}(): port must be 0-65535.");
        return (int)p;
    }

    /// <summary>CPython's setipaddr: the host's address of <paramref name="family"/> into <paramref name="dst"/>.</summary>
    public static void Resolve(string host, int family, Span<byte> dst)
    {
        if (host.Length == 0) { dst.Clear(); if (family == AF_INET6) { } return; }
        if (family == AF_INET && host == "<broadcast>") { dst.Fill(0xff); return; }
        if (TryPton(family, host, dst)) return;
        var infos = SocketModule.GetAddrInfo(host, null, family, 0, 0, 0);
        foreach (var (fam, _, _, _, sa) in infos)
        {
            if (fam != family) continue;
            sa.AsSpan(family == AF_INET ? 4 : 8, dst.Length).CopyTo(dst);
            return;
        }
        throw SocketModule.GaiError(-2); // EAI_NONAME
    }

    public static bool TryPton(int family, string text, Span<byte> dst)
    {
        var z = Encoding.UTF8.GetBytes(text + "\0");
        byte* tmp = stackalloc byte[16];
        fixed (byte* p = z)
            if (Native.inet_pton(family, p, tmp) != 1) return false;
        new ReadOnlySpan<byte>(tmp, family == AF_INET ? 4 : 16).CopyTo(dst);
        return true;
    }

    public static string Ntop(int family, ReadOnlySpan<byte> raw)
    {
        byte* outp = stackalloc byte[64];
        fixed (byte* src = raw)
            if (Native.inet_ntop(family, src, outp, 64) == null) throw Fs.LastError();
        return new string((sbyte*)outp);
    }

    /// <summary>The Python value of a kernel address (makesockaddr).</summary>
    public static PyObject Make(ReadOnlySpan<byte> sa, int len)
    {
        if (len < 2) return PyNone.Instance;
        int family = BinaryPrimitives.ReadUInt16LittleEndian(sa);
        switch (family)
        {
            case AF_INET:
                return PyTuple.Of(PyStr.Of(Ntop(AF_INET, sa.Slice(4, 4))), PyInt.Get(BinaryPrimitives.ReadUInt16BigEndian(sa.Slice(2))));
            case AF_INET6:
                return PyTuple.Of(PyStr.Of(Ntop(AF_INET6, sa.Slice(8, 16))), PyInt.Get(BinaryPrimitives.ReadUInt16BigEndian(sa.Slice(2))),
                    PyInt.Get(BinaryPrimitives.ReadUInt32BigEndian(sa.Slice(4))), PyInt.Get(BinaryPrimitives.ReadUInt32LittleEndian(sa.Slice(24))));
            case AF_UNIX:
            {
                var path = sa.Slice(2, Math.Max(0, len - 2));
                if (path.Length > 0 && path[0] == 0) return new PyBytes(path.ToArray()); // abstract namespace
                int nul = path.IndexOf((byte)0);
                return Fs.DecodeStr(nul >= 0 ? path.Slice(0, nul) : path);
            }
            default:
                return PyTuple.Of(PyInt.Get(family), new PyBytes(sa.Slice(2, Math.Max(0, Math.Min(len, 16) - 2)).ToArray()));
        }
    }
}
