using System.Text.Json;
using Google.Protobuf;
using O365Activity.Contracts.Activity;
using O365Activity.Grains.Normalization;
using O365Activity.Storage;
using O365Activity.Storage.Wire;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Tests.Storage;

/// <summary>
/// The stored wire format against the messages built whole: for every golden record (every admin action, every
/// sign-in outcome, raw records), a stored event written as a message has the same bytes' meaning as the message
/// <see cref="ActivityMessages"/> builds and the protobuf runtime serializes, with the sequence set.
/// </summary>
public sealed class EventWireFormatTests
{
    private static readonly string GoldenRecords = Path.Combine(AppContext.BaseDirectory, "Normalization", "Data", "golden-records.json");
    private readonly AuditRecordNormalizer _normalizer = new();

    public static TheoryData<long> Sequences => [1, 127, 128, 300, 16_384, long.MaxValue];

    [Theory]
    [MemberData(nameof(Sequences))]
    public void Write_EveryGoldenRecord_ParsesAsTheMessageBuiltWhole(long sequence)
    {
        var checkedKinds = new HashSet<EventKind>();
        foreach (var normalized in NormalizeGolden())
        {
            var record = new NewRecord(normalized.Raw, normalized.Activity);
            var stored = new StoredEvent(sequence, record.Kind, record.Parts);

            Assert.Equal(ActivityMessages.ToProto(normalized.Raw with { Sequence = sequence }), EventWireFormat.ToRawRecord(stored));
            switch (normalized.Activity)
            {
                case IngressEvent ingress:
                    Assert.Equal(ActivityMessages.ToProto(ingress with { Sequence = sequence }), EventWireFormat.ToIngressEvent(stored));
                    break;
                case AdminEvent admin:
                    Assert.Equal(ActivityMessages.ToProto(admin with { Sequence = sequence }), EventWireFormat.ToAdminEvent(stored));
                    break;
            }

            checkedKinds.Add(record.Kind);
        }

        Assert.Equal([EventKind.Raw, EventKind.Ingress, EventKind.Admin], checkedKinds.Order());
    }

    [Fact]
    public void Write_MessageLength_IsExactlyTheBytesWritten()
    {
        foreach (var normalized in NormalizeGolden())
        {
            var record = new NewRecord(normalized.Raw, normalized.Activity);
            var stored = new StoredEvent(42, record.Kind, record.Parts);
            var message = record.Kind;
            var buffer = new byte[EventWireFormat.MessageLength(stored, message) + 16];

            var written = EventWireFormat.Write(stored, message, buffer);

            Assert.Equal(EventWireFormat.MessageLength(stored, message), written);
            Assert.All(buffer[written..], b => Assert.Equal(0, b));
        }
    }

    [Fact]
    public void Encode_TextWithNulAndALoneSurrogate_KeepsTheNulAndReplacesTheSurrogateAsProtobufDoes()
    {
        var raw = new RawRecord { RecordId = "r1", Operation = "User\0LoggedIn", User = "a\ud800b", RawJson = """{"Id":"r1","UserId":"a\ud800b"}""" };
        var stored = new StoredEvent(7, EventKind.Raw, new NewRecord(raw, null).Parts);

        var message = EventWireFormat.ToRawRecord(stored);

        Assert.Equal("User\0LoggedIn", message.Header.Operation);
        Assert.Equal(Proto.RawRecord.Parser.ParseFrom(ActivityMessages.ToProto(raw with { Sequence = 7 }).ToByteArray()), message);
        Assert.Equal("a\ufffdb", message.User);
    }

    [Fact]
    public void Encode_FromTheBytesReceived_SameAsFromTheText()
    {
        foreach (var normalized in NormalizeGolden())
        {
            var fromText = new NewRecord(normalized.Raw, normalized.Activity);
            var bytes = System.Text.Encoding.UTF8.GetBytes(normalized.Raw.RawJson);
            var fromBytes = new NewRecord(normalized.Raw with { RawJson = "" }, normalized.Activity is null ? null : normalized.Activity with { RawJson = "" }, bytes);

            Assert.Equal(fromText.Parts.Header.ToArray(), fromBytes.Parts.Header.ToArray());
            Assert.Equal(fromText.Parts.Raw.ToArray(), fromBytes.Parts.Raw.ToArray());
            Assert.Equal(fromText.Parts.Activity.ToArray(), fromBytes.Parts.Activity.ToArray());
            Assert.Equal(bytes, fromBytes.Parts.RawJson.ToArray());
        }
    }

    [Fact]
    public void Encode_BytesThatAreNotUtf8_Throws()
    {
        Assert.Throws<ArgumentException>(() => new NewRecord(new RawRecord { RecordId = "r1" }, null, new byte[] { 0x7B, 0xC3, 0x7D }));
    }

    [Fact]
    public void Write_AnIngressMessageOfARawOnlyEvent_Throws()
    {
        var record = new NewRecord(new RawRecord { RecordId = "r1", RawJson = "{}" }, null);

        Assert.Throws<ArgumentException>(() => EventWireFormat.MessageLength(new StoredEvent(1, EventKind.Raw, record.Parts), EventKind.Ingress));
    }

    private List<NormalizedRecord> NormalizeGolden()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(GoldenRecords));
        var context = new NormalizationContext(Guid.Parse("7e3f5c2a-9b1d-4e6f-8a2c-3d4b5e6f7a8b"), new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero), "Audit.AzureActiveDirectory", ["example.org"]);
        return [.. document.RootElement.EnumerateArray().Select(e => _normalizer.Normalize(e, context))];
    }
}
