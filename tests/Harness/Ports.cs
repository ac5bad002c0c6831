using System.Net;
using System.Net.Sockets;

namespace O365Activity.Harness;

/// <summary>Free local ports for test servers.</summary>
public static class Ports
{
    /// <summary>The ports <see cref="FreeFixed"/> takes from: 10,000 ports outside the system's ephemeral range.</summary>
    private static readonly (int Low, int High) FixedRange = OutsideEphemeralRange();

    private static int _next = FixedRange.Low + (Environment.ProcessId % 200 * 50);

    /// <summary>A port on 127.0.0.1 that nothing listens on now (the system's choice).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A free port from a range the system does not hand out at random (10,000 ports below or above its ephemeral range,
    /// /proc/sys/net/ipv4/ip_local_port_range; Linux's default is 32768–60999, so 20000–29999), for a process started
    /// later that must not race another test's use of a system-chosen port.
    /// </summary>
    public static int FreeFixed()
    {
        while (true)
        {
            var port = Interlocked.Increment(ref _next);
            if (port > FixedRange.High)
            {
                Interlocked.Exchange(ref _next, FixedRange.Low);
                continue;
            }

            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try the next.
            }
        }
    }

    private static (int Low, int High) OutsideEphemeralRange()
    {
        var (low, high) = (32768, 60999);
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            (low, high) = (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or unreadable: assume Linux's default.
        }

        return low >= 20_000 ? (Math.Max(1_024, low - 12_768), Math.Max(1_024, low - 12_768) + 9_999)
            : high <= 55_000 ? (high + 1, high + 10_000)
            : (40_000, 49_999);
    }
}
