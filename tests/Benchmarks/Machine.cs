using System.Globalization;

namespace O365Activity.Benchmarks;

/// <summary>Facts of the machine and of processes, read from /proc.</summary>
public static class Machine
{
    /// <summary>The CPU model and the number of cores.</summary>
    public static string Describe()
    {
        var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var gib = long.Parse(memory.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
        return $"{Environment.ProcessorCount} cores ({model}), {gib:F0} GiB";
    }

    /// <summary>CPU time (user + system) a process has used so far, in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        var (user, kernel) = Times(pid);
        return user + kernel;
    }

    /// <summary>CPU time a process has used so far in the kernel (system time: its system calls, socket work, thread wake-ups), in seconds.</summary>
    public static double KernelCpuSeconds(int pid) => Times(pid).Kernel;

    /// <summary>Fields 14 and 15 of /proc/PID/stat (user and system time), after the command name in parentheses, in clock ticks (100 per second here), as seconds.</summary>
    private static (double User, double Kernel) Times(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) / 100.0, long.Parse(fields[12], CultureInfo.InvariantCulture) / 100.0);
    }

    /// <summary>CPU time, in seconds, of every running process whose command name is <paramref name="name"/> (for example every PostgreSQL backend).</summary>
    public static double CpuSecondsOf(string name)
    {
        var total = 0.0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() == name)
                {
                    total += CpuSeconds(pid);
                }
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
        }

        return total;
    }

    /// <summary>A process's resident memory now (VmRSS), in bytes.</summary>
    public static long Rss(int pid) => Status(pid, "VmRSS:");

    /// <summary>A process's peak resident memory (VmHWM), in bytes.</summary>
    public static long PeakRss(int pid) => Status(pid, "VmHWM:");

    private static long Status(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
