using System;
using System.Collections;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace Invisible.Abi.Native;

/// <summary>
/// Runs a tool (gcc) from inside a target process without changing anything the target can observe.
/// System.Diagnostics.Process installs a SIGCHLD handler and starts threads in the host, and even a plain
/// <c>posix_spawn</c> child sends the target a SIGCHLD when it exits (the target's handler runs, and a handler that
/// reaps with <c>waitpid(-1, …)</c> would take our child's status). Here the child is made with
/// <c>clone(CLONE_VM | CLONE_VFORK)</c> and an exit signal of 0 — but execve gives any process a SIGCHLD exit signal
/// again (the kernel's de_thread), so in a process with libinvisible.so (every target; <c>invisible python</c>) the
/// tool is started by its <c>invisible_spawn_start</c> as the child of a middle process that never execs (exit
/// signal 0, reaped only by our <c>__WCLONE</c> wait): the target gets no SIGCHLD and its <c>wait</c>/<c>waitpid(-1)</c>
/// never see either. Without the library (the CLI's own process) the tool is our clone's exec, and its SIGCHLD
/// reaches only us. stdout and stderr come back through one pipe; a timeout kills the tool.
/// </summary>
/// <remarks>
/// The child shares our memory until it execs, so it must run no managed code (a GC poll in the copy could wait for
/// a collection forever) and call nothing in libc (locks another thread holds): its whole body is the machine code
/// in <see cref="ChildCode"/> (only system calls). All signals are blocked around the clone, as glibc's posix_spawn
/// does, so none of the target's handlers can run in the child; the child resets every handler to SIG_DFL, then
/// restores the caller's mask before exec.
/// </remarks>
public static unsafe partial class QuietSpawn
{
    /// <summary>The child's body. Argument (rdi): <see cref="ChildArgs"/>.
    /// <code>
    ///   mov rbx, rdi
    ///   mov r12d, 1
    /// 1: rt_sigaction(r12d, &amp;args->dfl, NULL, 8)    ; every handler back to SIG_DFL (errors for 9/19 ignored)
    ///   inc r12d; cmp r12d, 65; jne 1b
    ///   rt_sigprocmask(SIG_SETMASK, &amp;args->mask, NULL, 8)
    ///   dup2(args->nullFd, 0); dup2(args->outFd, 1); dup2(args->outFd, 2)
    ///   close_range(3, ~0U, 0)
    ///   execve(args->path, args->argv, args->envp)
    ///   exit_group(127)
    ///   hlt
    /// </code></summary>
    private static ReadOnlySpan<byte> ChildCode => new byte[]
    {
        0x48, 0x89, 0xfb, 0x41, 0xbc, 0x01, 0x00, 0x00, 0x00,
        0xb8, 0x0d, 0x00, 0x00, 0x00, 0x44, 0x89, 0xe7, 0x48, 0x8d, 0x73, 0x30, 0x31, 0xd2,
        0x41, 0xba, 0x08, 0x00, 0x00, 0x00, 0x0f, 0x05, 0x41, 0xff, 0xc4, 0x41, 0x83, 0xfc, 0x41, 0x75, 0xe1,
        0xb8, 0x0e, 0x00, 0x00, 0x00, 0xbf, 0x02, 0x00, 0x00, 0x00, 0x48, 0x8d, 0x73, 0x28, 0x31, 0xd2,
        0x41, 0xba, 0x08, 0x00, 0x00, 0x00, 0x0f, 0x05,
        0xb8, 0x21, 0x00, 0x00, 0x00, 0x48, 0x8b, 0x3b, 0x31, 0xf6, 0x0f, 0x05,
        0xb8, 0x21, 0x00, 0x00, 0x00, 0x48, 0x8b, 0x7b, 0x08, 0xbe, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x05,
        0xb8, 0x21, 0x00, 0x00, 0x00, 0x48, 0x8b, 0x7b, 0x08, 0xbe, 0x02, 0x00, 0x00, 0x00, 0x0f, 0x05,
        0xb8, 0xb4, 0x01, 0x00, 0x00, 0xbf, 0x03, 0x00, 0x00, 0x00, 0xbe, 0xff, 0xff, 0xff, 0xff, 0x31, 0xd2, 0x0f, 0x05,
        0xb8, 0x3b, 0x00, 0x00, 0x00, 0x48, 0x8b, 0x7b, 0x10, 0x48, 0x8b, 0x73, 0x18, 0x48, 0x8b, 0x53, 0x20, 0x0f, 0x05,
        0xb8, 0xe7, 0x00, 0x00, 0x00, 0xbf, 0x7f, 0x00, 0x00, 0x00, 0x0f, 0x05,
        0xf4,
    };

    /// <summary>What <see cref="ChildCode"/> reads (offsets fixed by the code).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ChildArgs
    {
        public long NullFd;      // 0
        public long OutFd;       // 8
        public byte* Path;       // 16
        public byte** Argv;      // 24
        public byte** Envp;      // 32
        public ulong Mask;       // 40: the kernel's 64-bit signal set, restored before exec
        public fixed ulong Dfl[4]; // 48: struct k_sigaction, all zero = SIG_DFL
    }

    private const int CLONE_VM = 0x100, CLONE_VFORK = 0x4000;
    private const int WALL = 0x40000000;
    private const int O_RDONLY = 0, O_CLOEXEC = 0x80000;
    private const int SIG_SETMASK = 2, SIGKILL = 9, EINTR = 4;
    private const short POLLIN = 1;
    private const int ChildStackSize = 64 * 1024;

    private static nint s_code;
    private static readonly object s_codeLock = new();

    [LibraryImport("libc.so.6", SetLastError = true)] private static partial int clone(nint fn, void* stack, int flags, void* arg);
    [LibraryImport("libc.so.6", SetLastError = true)] private static partial int pipe2(int* fds, int flags);
    [LibraryImport("libc.so.6", SetLastError = true)] private static partial int open(byte* path, int flags);
    [LibraryImport("libc.so.6")] private static partial int close(int fd);
    [LibraryImport("libc.so.6", SetLastError = true)] private static partial nint read(int fd, byte* buf, nint count);
    [LibraryImport("libc.so.6", SetLastError = true)] private static partial int poll(PollFd* fds, nuint n, int timeoutMs);
    [LibraryImport("libc.so.6", SetLastError = true)] private static partial int wait4(int pid, int* status, int options, void* rusage);
    [LibraryImport("libc.so.6")] private static partial int kill(int pid, int sig);
    [LibraryImport("libc.so.6", StringMarshalling = StringMarshalling.Utf8)] private static partial nint dlsym(nint handle, string name);
    [LibraryImport("libc.so.6")] private static partial int pthread_sigmask(int how, byte* set, byte* old);
    [LibraryImport("libc.so.6", SetLastError = true)] private static partial void* mmap(void* addr, nuint len, int prot, int flags, int fd, nint off);
    [LibraryImport("libc.so.6", SetLastError = true)] private static partial int mprotect(void* addr, nuint len, int prot);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd { public int Fd; public short Events; public short Revents; }

    /// <summary>The result of one run: the exit status (a negative number −N when signal N ended it, −1000 when it
    /// was killed for the timeout) and everything it wrote on stdout and stderr, in order.</summary>
    public readonly record struct Result(int ExitCode, string Output, bool TimedOut);

    /// <summary>Runs <paramref name="exe"/> (a path) with <paramref name="args"/> and this process's environment
    /// minus <paramref name="dropVariables"/> (names; a trailing '*' matches a prefix) plus
    /// <paramref name="setVariables"/>; stdin is /dev/null. Throws <see cref="System.IO.IOException"/> when it cannot
    /// be started.</summary>
    public static Result Run(string exe, IReadOnlyList<string> args, IReadOnlyList<string> dropVariables,
        IReadOnlyList<KeyValuePair<string, string>> setVariables, int timeoutMs)
    {
        nint code = ChildEntry();
        var strings = new List<nint>();
        byte** argv = null, envp = null;
        byte* stack = null;
        int* fds = stackalloc int[2] { -1, -1 };
        int nullFd = -1, pid = 0;
        try
        {
            byte* path = Utf8(exe, strings);
            argv = (byte**)NativeMemory.AllocZeroed((nuint)(args.Count + 2), (nuint)sizeof(nint));
            argv[0] = path;
            for (int i = 0; i < args.Count; i++) argv[i + 1] = Utf8(args[i], strings);
            var env = Environment(dropVariables, setVariables);
            envp = (byte**)NativeMemory.AllocZeroed((nuint)(env.Count + 1), (nuint)sizeof(nint));
            for (int i = 0; i < env.Count; i++) envp[i] = Utf8(env[i], strings);

            if (pipe2(fds, O_CLOEXEC) != 0) throw Failed("pipe2");
            byte* devNull = stackalloc byte[] { (byte)'/', (byte)'d', (byte)'e', (byte)'v', (byte)'/', (byte)'n', (byte)'u', (byte)'l', (byte)'l', 0 };
            nullFd = open(devNull, O_RDONLY | O_CLOEXEC);
            if (nullFd < 0) throw Failed("open /dev/null");

            Spawner spawner = Spawner.Get();
            if (spawner.Start != 0)
            {
                // libinvisible.so is in this process (a target, or `invisible python`): its middle process keeps the
                // tool from being the program's child (execve gives any child a SIGCHLD exit signal again).
                nint handle = ((delegate* unmanaged<byte*, byte**, byte**, int, int, nint>)spawner.Start)(path, argv, envp, fds[1], nullFd);
                if (handle == 0) throw new System.IO.IOException("cannot start " + exe + ": invisible_spawn_start failed");
                close(fds[1]);
                fds[1] = -1;
                try
                {
                    return Collect(fds[0], timeoutMs,
                        () => ((delegate* unmanaged<nint, int>)spawner.Kill)(handle),
                        () => ((delegate* unmanaged<nint, int>)spawner.Finish)(handle));
                }
                finally
                {
                    close(fds[0]);
                    fds[0] = -1;
                }
            }

            ChildArgs ca = default;
            ca.NullFd = nullFd;
            ca.OutFd = fds[1];
            ca.Path = path;
            ca.Argv = argv;
            ca.Envp = envp;
            stack = (byte*)NativeMemory.AlignedAlloc(ChildStackSize, 16);

            byte* all = stackalloc byte[128];
            byte* old = stackalloc byte[128];
            new Span<byte>(all, 128).Fill(0xff);
            pthread_sigmask(SIG_SETMASK, all, old);
            ca.Mask = *(ulong*)old;
            // CLONE_VFORK: we resume once the child has exec'd or exited, so ca and the stack outlive its use of them.
            pid = clone(code, stack + ChildStackSize, CLONE_VM | CLONE_VFORK, &ca);
            int cloneErrno = Marshal.GetLastSystemError();
            pthread_sigmask(SIG_SETMASK, old, null);
            if (pid < 0) throw new System.IO.IOException("cannot start " + exe + ": clone failed (errno " + cloneErrno + ")");
        }
        finally
        {
            if (fds[1] >= 0) close(fds[1]);
            if (fds[0] >= 0 && pid <= 0) close(fds[0]);
            if (nullFd >= 0) close(nullFd);
            if (stack != null) NativeMemory.AlignedFree(stack);
            foreach (nint s in strings) NativeMemory.Free((void*)s);
            NativeMemory.Free(argv);
            NativeMemory.Free(envp);
        }
        try
        {
            int child = pid;
            return Collect(fds[0], timeoutMs, () => kill(child, SIGKILL), () =>
            {
                int status = 0;
                while (wait4(child, &status, WALL, null) < 0 && Marshal.GetLastSystemError() == EINTR) { }
                return status;
            });
        }
        finally
        {
            close(fds[0]);
        }
    }

    /// <summary>libinvisible.so's spawn entry points (preload/libinvisible/src/spawn.c), when it is loaded here.</summary>
    private readonly struct Spawner
    {
        public readonly nint Start, Kill, Finish;
        private Spawner(nint start, nint kill, nint finish) { Start = start; Kill = kill; Finish = finish; }

        private static Spawner s_found;
        private static int s_looked;

        public static Spawner Get()
        {
            if (Volatile.Read(ref s_looked) == 0)
            {
                nint start = dlsym(0, "invisible_spawn_start"), kill = dlsym(0, "invisible_spawn_kill"), finish = dlsym(0, "invisible_spawn_finish");
                s_found = start != 0 && kill != 0 && finish != 0 ? new Spawner(start, kill, finish) : default;
                Volatile.Write(ref s_looked, 1);
            }
            return s_found;
        }
    }

    /// <summary>Reads the tool's output until it closes the pipe or the time is up (then <paramref name="killTool"/>),
    /// then reaps it (<paramref name="reap"/>: its wait status).</summary>
    private static Result Collect(int fd, int timeoutMs, Func<int> killTool, Func<int> reap)
    {
        var output = new List<byte>(4096);
        byte* buf = stackalloc byte[4096];
        long deadline = System.Environment.TickCount64 + timeoutMs;
        bool timedOut = false;
        while (true)
        {
            long left = deadline - System.Environment.TickCount64;
            if (left <= 0) { timedOut = true; break; }
            PollFd p = new() { Fd = fd, Events = POLLIN };
            int r = poll(&p, 1, (int)Math.Min(left, int.MaxValue));
            if (r < 0) { if (Marshal.GetLastSystemError() == EINTR) continue; break; }
            if (r == 0) continue;
            nint n = read(fd, buf, 4096);
            if (n < 0) { if (Marshal.GetLastSystemError() == EINTR) continue; break; }
            if (n == 0) break;
            output.AddRange(new ReadOnlySpan<byte>(buf, (int)n));
        }
        if (timedOut) killTool();
        int status = reap();
        string text = Encoding.UTF8.GetString(output.ToArray());
        int exit = timedOut ? -1000
            : (status & 0x7f) == 0 ? (status >> 8) & 0xff
            : -(status & 0x7f);
        return new Result(exit, text, timedOut);
    }

    /// <summary>The child's code in an executable page of its own, made once.</summary>
    private static nint ChildEntry()
    {
        lock (s_codeLock)
        {
            if (s_code != 0) return s_code;
            const int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20;
            void* page = mmap(null, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (page == (void*)-1) throw Failed("mmap");
            ChildCode.CopyTo(new Span<byte>(page, 4096));
            if (mprotect(page, 4096, PROT_READ | PROT_EXEC) != 0) throw Failed("mprotect");
            s_code = (nint)page;
            return s_code;
        }
    }

    private static List<string> Environment(IReadOnlyList<string> drop, IReadOnlyList<KeyValuePair<string, string>> set)
    {
        var list = new List<string>();
        foreach (DictionaryEntry e in System.Environment.GetEnvironmentVariables())
        {
            string k = (string)e.Key;
            if (Dropped(k, drop)) continue;
            bool overridden = false;
            foreach (var kv in set) if (kv.Key == k) overridden = true;
            if (!overridden) list.Add(k + "=" + (string?)e.Value);
        }
        foreach (var kv in set) list.Add(kv.Key + "=" + kv.Value);
        return list;
    }

    private static bool Dropped(string name, IReadOnlyList<string> drop)
    {
        foreach (string d in drop)
            if (d.EndsWith('*') ? name.StartsWith(d.AsSpan(0, d.Length - 1), StringComparison.Ordinal) : name == d) return true;
        return false;
    }

    private static byte* Utf8(string s, List<nint> owned)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        byte* p = (byte*)NativeMemory.Alloc((nuint)n + 1);
        owned.Add((nint)p);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        p[n] = 0;
        return p;
    }

    private static System.IO.IOException Failed(string what) =>
        new("cannot start a tool: " + what + " failed (errno " + Marshal.GetLastSystemError() + ")");
}
