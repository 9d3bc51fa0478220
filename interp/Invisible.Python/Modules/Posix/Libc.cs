using System;
using System.Runtime.InteropServices;

namespace Invisible.Python.Modules.Posix;

/// <summary>The C library calls behind <c>posix</c> and <c>_io</c> (what CPython's posixmodule.c calls). Every call that
/// can fail sets errno: read it with <see cref="Marshal.GetLastPInvokeError"/> right after the call. Strings cross as
/// NUL-terminated byte arrays already encoded with the file system encoding (<see cref="Fs"/>), never marshalled as
/// .NET strings (a Python path may hold bytes that are not UTF-8).</summary>
internal static unsafe partial class Libc
{
    private const string C = "libc.so.6";

    /// <summary>x86-64 glibc <c>struct stat</c> (144 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Stat
    {
        public ulong Dev, Ino, Nlink;
        public uint Mode, Uid, Gid;
        private int _pad0;
        public ulong Rdev;
        public long Size, Blksize, Blocks;
        public long Atime, AtimeNsec, Mtime, MtimeNsec, Ctime, CtimeNsec;
        private long _r0, _r1, _r2;
    }

    [LibraryImport(C, SetLastError = true)] public static partial int stat(byte* path, Stat* buf);
    [LibraryImport(C, SetLastError = true)] public static partial int lstat(byte* path, Stat* buf);
    [LibraryImport(C, SetLastError = true)] public static partial int fstat(int fd, Stat* buf);
    [LibraryImport(C, SetLastError = true)] public static partial int fstatat(int dirfd, byte* path, Stat* buf, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial int open(byte* path, int flags, int mode);
    [LibraryImport(C, SetLastError = true)] public static partial int openat(int dirfd, byte* path, int flags, int mode);
    [LibraryImport(C, SetLastError = true)] public static partial int close(int fd);
    [LibraryImport(C, SetLastError = true)] public static partial nint read(int fd, byte* buf, nint count);
    [LibraryImport(C, SetLastError = true)] public static partial nint write(int fd, byte* buf, nint count);
    [LibraryImport(C, SetLastError = true)] public static partial nint pread(int fd, byte* buf, nint count, long offset);
    [LibraryImport(C, SetLastError = true)] public static partial nint pwrite(int fd, byte* buf, nint count, long offset);
    [LibraryImport(C, SetLastError = true)] public static partial long lseek(int fd, long offset, int whence);
    [LibraryImport(C, SetLastError = true)] public static partial int pipe2(int* fds, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial int dup(int fd);
    [LibraryImport(C, SetLastError = true)] public static partial int dup3(int fd, int fd2, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial int dup2(int fd, int fd2);
    [LibraryImport(C, SetLastError = true)] public static partial int fcntl(int fd, int cmd, long arg);
    [LibraryImport(C, SetLastError = true)] public static partial int fsync(int fd);
    [LibraryImport(C, SetLastError = true)] public static partial int fdatasync(int fd);
    [LibraryImport(C, SetLastError = true)] public static partial int ftruncate(int fd, long length);
    [LibraryImport(C, SetLastError = true)] public static partial int truncate(byte* path, long length);
    [LibraryImport(C, SetLastError = true)] public static partial int isatty(int fd);
    [LibraryImport(C, SetLastError = true)] public static partial int ttyname_r(int fd, byte* buf, nint len);
    [LibraryImport(C, SetLastError = true)] public static partial nint opendir(byte* path);
    [LibraryImport(C, SetLastError = true)] public static partial nint fdopendir(int fd);
    [LibraryImport(C, SetLastError = true)] public static partial nint readdir(nint dir);
    [LibraryImport(C, SetLastError = true)] public static partial int closedir(nint dir);
    [LibraryImport(C, SetLastError = true)] public static partial int mkdir(byte* path, int mode);
    [LibraryImport(C, SetLastError = true)] public static partial int rmdir(byte* path);
    [LibraryImport(C, SetLastError = true)] public static partial int unlink(byte* path);
    [LibraryImport(C, SetLastError = true)] public static partial int rename(byte* src, byte* dst);
    [LibraryImport(C, SetLastError = true)] public static partial int mkdirat(int dirfd, byte* path, int mode);
    [LibraryImport(C, SetLastError = true)] public static partial int unlinkat(int dirfd, byte* path, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial int renameat(int olddirfd, byte* oldpath, int newdirfd, byte* newpath);
    [LibraryImport(C, SetLastError = true)] public static partial int faccessat(int dirfd, byte* path, int mode, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial int link(byte* src, byte* dst);
    [LibraryImport(C, SetLastError = true)] public static partial int symlink(byte* src, byte* dst);
    [LibraryImport(C, SetLastError = true)] public static partial nint readlink(byte* path, byte* buf, nint len);
    [LibraryImport(C, SetLastError = true)] public static partial int chmod(byte* path, int mode);
    [LibraryImport(C, SetLastError = true)] public static partial int fchmod(int fd, int mode);
    [LibraryImport(C, SetLastError = true)] public static partial int fchmodat(int dirfd, byte* path, int mode, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial int chown(byte* path, int uid, int gid);
    [LibraryImport(C, SetLastError = true)] public static partial int lchown(byte* path, int uid, int gid);
    [LibraryImport(C, SetLastError = true)] public static partial int fchown(int fd, int uid, int gid);
    [LibraryImport(C, SetLastError = true)] public static partial int utimensat(int dirfd, byte* path, long* times, int flags);
    [LibraryImport(C, SetLastError = true)] public static partial int futimens(int fd, long* times);
    [LibraryImport(C, SetLastError = true)] public static partial int access(byte* path, int mode);
    [LibraryImport(C, SetLastError = true)] public static partial int chdir(byte* path);
    [LibraryImport(C, SetLastError = true)] public static partial int fchdir(int fd);
    [LibraryImport(C, SetLastError = true)] public static partial nint getcwd(byte* buf, nint size);
    [LibraryImport(C, SetLastError = true)] public static partial int setenv(byte* name, byte* value, int overwrite);
    [LibraryImport(C, SetLastError = true)] public static partial int unsetenv(byte* name);
    [LibraryImport(C)] public static partial int getpid();
    [LibraryImport(C)] public static partial int getppid();
    [LibraryImport(C)] public static partial int getuid();
    [LibraryImport(C)] public static partial int geteuid();
    [LibraryImport(C)] public static partial int getgid();
    [LibraryImport(C)] public static partial int getegid();
    [LibraryImport(C, SetLastError = true)] public static partial int getpgrp();
    [LibraryImport(C, SetLastError = true)] public static partial int getpgid(int pid);
    [LibraryImport(C, SetLastError = true)] public static partial int setpgid(int pid, int pgid);
    [LibraryImport(C, SetLastError = true)] public static partial int getsid(int pid);
    [LibraryImport(C, SetLastError = true)] public static partial int setsid();
    [LibraryImport(C, SetLastError = true)] public static partial int getgroups(int size, int* list);
    [LibraryImport(C, SetLastError = true)] public static partial nint getlogin();
    [LibraryImport(C, SetLastError = true)] public static partial int kill(int pid, int sig);
    [LibraryImport(C, SetLastError = true)] public static partial int killpg(int pgrp, int sig);
    [LibraryImport(C, SetLastError = true)] public static partial int uname(byte* buf);
    [LibraryImport(C)] public static partial int umask(int mask);
    [LibraryImport(C, SetLastError = true)] public static partial long times(long* buf);
    [LibraryImport(C, SetLastError = true)] public static partial int waitpid(int pid, int* status, int options);
    [LibraryImport(C, SetLastError = true)] public static partial int fork();
    [LibraryImport(C, SetLastError = true)] public static partial int system(byte* command);
    [LibraryImport(C, SetLastError = true)] public static partial int execv(byte* path, byte** argv);
    [LibraryImport(C, SetLastError = true)] public static partial int execve(byte* path, byte** argv, byte** envp);
    [LibraryImport(C)] public static partial void _exit(int status);
    [LibraryImport(C)] public static partial nint strerror(int errnum);
    [LibraryImport(C, SetLastError = true)] public static partial long sysconf(int name);
    [LibraryImport(C, SetLastError = true)] public static partial nint confstr(int name, byte* buf, nint len);
    [LibraryImport(C, SetLastError = true)] public static partial long pathconf(byte* path, int name);
    [LibraryImport(C, SetLastError = true)] public static partial long fpathconf(int fd, int name);
    [LibraryImport(C, SetLastError = true)] public static partial int ioctl(int fd, ulong request, void* arg);
    [LibraryImport(C, SetLastError = true)] public static partial int sched_getaffinity(int pid, nint size, byte* mask);
    [LibraryImport(C, SetLastError = true)] public static partial nint getrandom(byte* buf, nint len, uint flags);
    [LibraryImport(C, SetLastError = true)] public static partial int nice(int inc);
    [LibraryImport(C, SetLastError = true)] public static partial int setuid(int uid);
    [LibraryImport(C, SetLastError = true)] public static partial int setgid(int gid);
    [LibraryImport(C)] public static partial void sync();
}
