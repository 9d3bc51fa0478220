using System.Runtime.InteropServices;

namespace Invisible.Python.Modules.Socket;

/// <summary>The libc calls behind <c>_socket</c> (glibc, x86-64). Blocking calls are made with the interpreter lock
/// lent (see <see cref="SocketObject"/>), so no Python object is touched while they run.</summary>
internal static unsafe partial class Native
{
    private const string C = "libc.so.6";

    // struct addrinfo on x86-64 (48 bytes)
    [StructLayout(LayoutKind.Sequential)]
    public struct AddrInfo
    {
        public int Flags, Family, SockType, Protocol;
        public uint AddrLen;
        public byte* Addr;
        public byte* CanonName;
        public AddrInfo* Next;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd { public int Fd; public short Events; public short REvents; }

    [LibraryImport(C, SetLastError = true)] public static partial int socket(int domain, int type, int protocol);
    [LibraryImport(C, SetLastError = true)] public static partial int socketpair(int domain, int type, int protocol, int* sv);
    [LibraryImport(C, SetLastError = true)] public static partial int bind(int fd, byte* addr, uint len);
    [LibraryImport(C, SetLastError = true)] public static partial int listen(int fd, int backlog);
    [LibraryImport(C, SetLastError = true)] public static partial int accept4(int fd, byte* addr, uint* len, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial int connect(int fd, byte* addr, uint len);
    [LibraryImport(C, SetLastError = true)] public static partial nint send(int fd, byte* buf, nint len, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial nint sendto(int fd, byte* buf, nint len, int flags, byte* addr, uint alen);
    [LibraryImport(C, SetLastError = true)] public static partial nint recv(int fd, byte* buf, nint len, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial nint recvfrom(int fd, byte* buf, nint len, int flags, byte* addr, uint* alen);
    [LibraryImport(C, SetLastError = true)] public static partial int shutdown(int fd, int how);
    [LibraryImport(C, SetLastError = true)] public static partial int getsockopt(int fd, int level, int name, byte* val, uint* len);
    [LibraryImport(C, SetLastError = true)] public static partial int setsockopt(int fd, int level, int name, byte* val, uint len);
    [LibraryImport(C, SetLastError = true)] public static partial int getsockname(int fd, byte* addr, uint* len);
    [LibraryImport(C, SetLastError = true)] public static partial int getpeername(int fd, byte* addr, uint* len);
    [LibraryImport(C, SetLastError = true)] public static partial int close(int fd);
    [LibraryImport(C, SetLastError = true)] public static partial int dup(int fd);
    [LibraryImport(C, SetLastError = true)] public static partial int fcntl(int fd, int cmd, long arg);
    [LibraryImport(C, SetLastError = true)] public static partial int poll(PollFd* fds, ulong nfds, int timeout);
    [LibraryImport(C)] public static partial int getaddrinfo(byte* node, byte* service, AddrInfo* hints, AddrInfo** res);
    [LibraryImport(C)] public static partial void freeaddrinfo(AddrInfo* res);
    [LibraryImport(C)] public static partial byte* gai_strerror(int code);
    [LibraryImport(C)] public static partial int getnameinfo(byte* addr, uint alen, byte* host, uint hostlen, byte* serv, uint servlen, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial int gethostname(byte* name, nint len);
    [LibraryImport(C, SetLastError = true)] public static partial int sethostname(byte* name, nint len);
    [LibraryImport(C)] public static partial int inet_pton(int af, byte* src, byte* dst);
    [LibraryImport(C)] public static partial byte* inet_ntop(int af, byte* src, byte* dst, uint size);
    [LibraryImport(C, SetLastError = true)] public static partial uint if_nametoindex(byte* name);
    [LibraryImport(C, SetLastError = true)] public static partial byte* if_indextoname(uint index, byte* name);
    [LibraryImport(C)] public static partial byte* getservbyname(byte* name, byte* proto);
    [LibraryImport(C)] public static partial byte* getservbyport(int port, byte* proto);
    [LibraryImport(C)] public static partial byte* getprotobyname(byte* name);
}
