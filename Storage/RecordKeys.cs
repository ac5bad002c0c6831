using System.Security.Cryptography;
using System.Text;

namespace O365Activity.Storage;

/// <summary>
/// The key an audit record's <c>Id</c> is de-duplicated on (column <c>record_key</c>): the Id itself when it is a GUID,
/// in any letter case or GUID spelling (audit record ids are GUIDs, PROTOCOL.md §8); otherwise the first 16 bytes of
/// the SHA-256 of its lower-case invariant text, so that any other id (for example the <c>sha256:</c> ids the
/// normalizer gives records without one) still has one fixed-size key. Two different ids share a key only by a
/// SHA-256 collision.
/// </summary>
public static class RecordKeys
{
    /// <summary>The key of <paramref name="recordId"/>.</summary>
    public static Guid For(string recordId)
    {
        if (Guid.TryParse(recordId, out var guid))
        {
            return guid;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(recordId.ToLowerInvariant()), hash);
        return new Guid(hash[..16]);
    }
}
