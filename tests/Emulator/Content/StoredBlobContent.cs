using System.Collections.Immutable;
using System.Text.Json;

namespace O365Activity.Emulator.Content;

/// <summary>Records held as their JSON text (<see cref="AuditRecord"/>), served with <c>OrganizationId</c> set to the tenant.</summary>
/// <param name="records">The records (shared between tenants: folder content is one set for all).</param>
/// <param name="tenant">The id of the tenant the blob belongs to, as text (one instance shared by the tenant's blobs).</param>
internal sealed class StoredBlobContent(ImmutableArray<AuditRecord> records, JsonEncodedText tenant) : BlobContent
{
    /// <inheritdoc/>
    public override int Count => records.Length;

    /// <summary>The length in bytes of the JSON array <see cref="SendAsync"/> writes.</summary>
    public long Length
    {
        get
        {
            long length = 2 + Math.Max(0, records.Length - 1);
            foreach (var record in records)
            {
                length += record.SizeFor(tenant.EncodedUtf8Bytes.Length);
            }

            return length;
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<string> RecordIds() => records.Where(r => r.Id is not null).Select(r => r.Id!);

    /// <inheritdoc/>
    public override async Task SendAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.ContentLength = Length;
        var destination = response.Body;
        using var buffer = new MemoryStream(80 * 1024);
        buffer.WriteByte((byte)'[');
        for (var i = 0; i < records.Length; i++)
        {
            if (i > 0)
            {
                buffer.WriteByte((byte)',');
            }

            records[i].WriteTo(buffer, tenant.EncodedUtf8Bytes);
            if (buffer.Length >= 64 * 1024)
            {
                await destination.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
                buffer.SetLength(0);
            }
        }

        buffer.WriteByte((byte)']');
        await destination.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
    }
}
