using System;
using System.Collections.Generic;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;

namespace Invisible.Python.Modules;

/// <summary>
/// The built-in modules: what CPython writes in C (its <c>Modules/</c> and the inittab that lists them), written here
/// in C# (this folder), and nothing else: CPython's <c>Lib/</c> modules come from <c>sys.path</c>. One table for the process, fixed at start-up; each interpreter makes its own module
/// objects from it on first import (<see cref="Create"/>), after its import finders and before <c>sys.path</c>.
/// </summary>
public static class BuiltinModules
{
    private static readonly Dictionary<string, Func<InterpreterState, PyModule>> Table = Build();

    /// <summary>True when <paramref name="name"/> is a built-in module (a native bridge's <c>import NAME</c> must not shadow it).</summary>
    public static bool Contains(string name) => Table.ContainsKey(name);

    /// <summary>The names, in table order (<c>sys.builtin_module_names</c>).</summary>
    public static IEnumerable<string> Names => Table.Keys;

    /// <summary>A new module object for <paramref name="interp"/>, or null when no built-in module has that name.</summary>
    public static PyModule? Create(InterpreterState interp, string name) =>
        Table.TryGetValue(name, out var factory) ? factory(interp) : null;

    private static Dictionary<string, Func<InterpreterState, PyModule>> Build()
    {
        var t = new Dictionary<string, Func<InterpreterState, PyModule>>(StringComparer.Ordinal);
        t["sys"] = interp => interp.Sys.Module;
        t["builtins"] = interp => interp.BuiltinsModule;
        t["math"] = _ => MathModule.Create();
        t["time"] = _ => TimeModule.Create();
        t["_sre"] = _ => Sre.SreModule.Create();
        t["posix"] = interp => Posix.PosixModule.Create(interp);
        t["_io"] = _ => Io.IoModule.Create();
        t["pwd"] = _ => Posix.PwdGrpModules.CreatePwd();
        t["grp"] = _ => Posix.PwdGrpModules.CreateGrp();
        t["fcntl"] = _ => Posix.FcntlResourceModules.CreateFcntl();
        t["resource"] = _ => Posix.FcntlResourceModules.CreateResource();
        t["_struct"] = _ => StructModule.Create();
        t["binascii"] = _ => BinasciiModule.Create();
        t["_bisect"] = _ => BisectModule.Create();
        t["_functools"] = _ => FunctoolsModule.Create();
        t["_heapq"] = _ => HeapqModule.Create();
        t["zlib"] = _ => ZlibModule.Create();
        t["_codecs"] = interp => Codecs.CodecsModule.Create(interp);
        t["_hashlib"] = _ => Hashes.HashlibModule.Create();
        t["_md5"] = _ => Hashes.ShaModules.Create("_md5", "md5");
        t["_sha1"] = _ => Hashes.ShaModules.Create("_sha1", "sha1");
        t["_sha256"] = _ => Hashes.ShaModules.Create("_sha256", "sha224", "sha256");
        t["_sha512"] = _ => Hashes.ShaModules.Create("_sha512", "sha384", "sha512");
        t["_sha3"] = _ => Hashes.ShaModules.Create("_sha3", "sha3_224", "sha3_256", "sha3_384", "sha3_512", "shake_128", "shake_256");
        t["_random"] = _ => MersenneTwister.CreateModule();
        t["errno"] = _ => ErrnoModule.Create();
        t["atexit"] = _ => AtexitModule.Create();
        t["_imp"] = interp => ImpModule.Create(interp);
        t["marshal"] = _ => MarshalModule.Create();
        t["_string"] = _ => StringModule.Create();
        t["_weakref"] = _ => WeakrefModule.Create();
        t["_contextvars"] = _ => ContextVarsModule.Create();
        t["select"] = _ => SelectModule.Create();
        t["_thread"] = interp => Thread.ThreadModule.Create(interp);
        t["gc"] = _ => GcModule.Create();
        t["_signal"] = interp => SignalModule.Create(interp);
        t["_locale"] = interp => LocaleModule.Create(interp);
        t["faulthandler"] = interp => FaulthandlerModule.Create(interp);
        t["itertools"] = _ => ItertoolsModule.Create();
        t["_abc"] = _ => AbcModule.Create();
        t["_ast"] = _ => Ast.AstModule.Create();
        t["_collections"] = _ => CollectionsModule.Create();
        t["_warnings"] = interp => WarningsModule.Create(interp);
        t["_socket"] = interp => Socket.SocketModule.Create(interp);
        t["_tracemalloc"] = _ => TracemallocModule.Create();
        t["_csv"] = _ => CsvModule.Create();
        t["_bz2"] = _ => Compression.Bz2Module.Create();
        t["_lzma"] = _ => Compression.LzmaModule.Create();
        t["cmath"] = _ => CmathModule.Create();
        t["mmap"] = _ => MmapModule.Create();
        t["array"] = _ => ArrayModule.Create();
        t["_posixsubprocess"] = _ => PosixSubprocessModule.Create();
        t["_testinternalcapi"] = interp => TestInternalCapiModule.Create(interp);
        t["_json"] = _ => JsonModule.Create();
        t["_operator"] = interp => OperatorModule.Create(interp);
        t["_statistics"] = _ => StatisticsModule.Create();
        t["unicodedata"] = _ => Unicodedata.UnicodedataModule.Create();
        return t;
    }
}
