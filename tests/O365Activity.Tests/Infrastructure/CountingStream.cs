namespace O365Activity.Tests.Infrastructure;

/// <summary>
/// A read-only, non-seekable stream over bytes that counts what has been read from it, and returns at most
/// <paramref name="chunk"/> bytes per read, as a network stream may.
/// </summary>
internal sealed class CountingStream(byte[] bytes, int chunk = int.MaxValue) : Stream
{
    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = (int)Math.Min(Math.Min(count, chunk), bytes.Length - BytesRead);
        Array.Copy(bytes, BytesRead, buffer, offset, n);
        BytesRead += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
