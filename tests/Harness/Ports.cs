using System.Net;
using System.Net.Sockets;

namespace O365Activity.Harness;

/// <summary>Free local ports for test servers.</summary>
public static class Ports
{
    private static int _next = 40000 + (Environment.ProcessId % 200 * 50);

    /// <summary>A port on 127.0.0.1 that nothing listens on now (the system's choice).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A free port from a range the system does not hand out at random (40000–49999), for a process started later
    /// that must not race another test's use of a system-chosen port.
    /// </summary>
    public static int FreeFixed()
    {
        while (true)
        {
            var port = Interlocked.Increment(ref _next);
            if (port > 49999)
            {
                Interlocked.Exchange(ref _next, 40000);
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
}
