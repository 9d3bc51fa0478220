using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.Attach.Tests;

/// <summary>An attach session on a preloaded program: the program's own thread frees a struct while the session
/// exists (the record of frees is kept then), and the session's read through the program's dangling pointer raises
/// FaultError naming the block, its allocation and its free (tests/fixtures/freed_target.c). The in-process cases are
/// tests/Invisible.DwarfPython.Tests/FreedReadTests.</summary>
public sealed class FreedReadAttachTests
{
    [Fact]
    public void ASessionNamesTheBlockTheProgramFreed()
    {
        string exe = TestProcess.BuiltFixture("freed_target-O0");
        using var target = Process.Start(TestProcess.StartInfo(exe, Array.Empty<string>(), new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = AttachTarget.Library,
            ["INVISIBLE_LEAK_CHECK"] = "no",
        }))!;
        try
        {
            Assert.Equal("ready", target.StandardOutput.ReadLine());
            var run = AttachTarget.Run(AttachTarget.Cli, new[] { "attach", target.Id.ToString(), "-c",
                "import process, c\n" +
                "m = process.main\n" +
                "o = m.kept_order\n" +
                "print(o.id, o.amount, str(o.customer))\n" +
                "m.free_request = 1\n" +
                "for i in range(20000):\n" + // the program's worker frees within a millisecond; bounded anyway
                "    if m.order_freed:\n" +
                "        break\n" +
                "    c.usleep(1000)\n" +
                "try:\n" +
                "    print(o.id)\n" +
                "except process.FaultError as e:\n" +
                "    print(e)\n" });
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Equal("17 42.5 ada\nread of freed block 0xADDR (64 bytes, allocated at order_new (freed_target.c:25), " +
                         "freed at order_drop (freed_target.c:35))\n", Regex.Replace(run.Stdout, "0x[0-9a-f]+", "0xADDR"));
            target.StandardInput.Close();
            Assert.Equal("done", target.StandardOutput.ReadLine());
            Assert.True(target.WaitForExit(30_000), "the target did not exit");
            Assert.Equal(0, target.ExitCode);
        }
        finally
        {
            if (!target.HasExited) target.Kill();
        }
    }
}
