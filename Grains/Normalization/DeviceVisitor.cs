using System.Text.Json;
using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// Reads a sign-in's <c>DeviceProperties</c> entries (see <see cref="LenientJson.VisitNameValues"/>) into a
/// <see cref="DeviceInfo"/>: <c>OS</c>, <c>BrowserType</c>, <c>IsCompliant</c>, <c>IsCompliantAndManaged</c> or
/// <c>IsManaged</c>, <c>TrustType</c>, <c>Id</c> and <c>DisplayName</c>, names compared case-insensitively, the first
/// non-empty value of each kept; other entries are read no further.
/// </summary>
internal struct DeviceVisitor : INameValueVisitor
{
    private static readonly RawValueMemo<DeviceEntry?> Entries = new();
    private static readonly DeviceEntry OtherEntry = new(Entry.Other, null);

    private string? _os;
    private string? _browser;
    private string? _trustType;
    private string? _deviceId;
    private string? _displayName;
    private bool? _compliant;
    private bool? _managed;

    /// <summary>What one entry is.</summary>
    internal enum Entry
    {
        Other,
        OperatingSystem,
        Browser,
        Compliant,
        Managed,
        TrustType,
        DeviceId,
        DisplayName,
    }

    /// <inheritdoc />
    public void Visit(in EntryName name, JsonElement value)
    {
        var entry = Kind(in name);
        if (entry != Entry.Other)
        {
            Apply(entry, LenientJson.Text(value));
        }
    }

    /// <summary>
    /// Reads a <c>DeviceProperties</c> value. A list of <c>{Name, Value}</c> objects, the usual shape, is read element
    /// by element, each element's meaning remembered by its text (the entries repeat from record to record even where
    /// the list as a whole does not, as when it holds a session id); any other shape is read by <see cref="LenientJson.VisitNameValues"/>.
    /// </summary>
    /// <param name="value">The field's value.</param>
    /// <returns>The device; null when no entry was recognised with a value.</returns>
    public static DeviceInfo? Read(JsonElement value)
    {
        var device = new DeviceVisitor();
        if (value.ValueKind == JsonValueKind.Array && device.TryReadObjects(value))
        {
            return device.ToDeviceInfo();
        }

        device = new DeviceVisitor();
        LenientJson.VisitNameValues(value, ref device, out _);
        return device.ToDeviceInfo();
    }

    private bool TryReadObjects(JsonElement list)
    {
        foreach (var element in list.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object
                || Entries.Get(element, 0, static (e, unused) => ReadEntry(e)) is not { } entry)
            {
                return false;
            }

            if (entry.Kind != Entry.Other)
            {
                Apply(entry.Kind, entry.Text);
            }
        }

        return true;
    }

    /// <summary>What a <c>{Name, Value}</c> object means for the device; null when it has no <c>Name</c>.</summary>
    private static DeviceEntry? ReadEntry(JsonElement element)
    {
        if (!LenientJson.TryGetNameAndValue(element, out var name, out var value))
        {
            return null;
        }

        var kind = Kind(new EntryName(name));
        return kind == Entry.Other ? OtherEntry : new DeviceEntry(kind, LenientJson.Text(value));
    }

    private void Apply(Entry entry, string? text)
    {
        text = string.IsNullOrWhiteSpace(text) ? null : text;
        switch (entry)
        {
            case Entry.OperatingSystem:
                _os ??= text;
                break;
            case Entry.Browser:
                _browser ??= text;
                break;
            case Entry.Compliant:
                _compliant ??= LenientJson.Boolean(text);
                break;
            case Entry.Managed:
                _managed ??= LenientJson.Boolean(text);
                break;
            case Entry.TrustType:
                _trustType ??= text;
                break;
            case Entry.DeviceId:
                _deviceId ??= text;
                break;
            case Entry.DisplayName:
                _displayName ??= text;
                break;
        }
    }

    /// <summary>The device; null when no entry was recognised with a value.</summary>
    public readonly DeviceInfo? ToDeviceInfo()
    {
        if (_os is null && _browser is null && _compliant is null && _managed is null && _trustType is null && _deviceId is null && _displayName is null)
        {
            return null;
        }

        return new DeviceInfo
        {
            OperatingSystem = _os,
            Browser = _browser,
            IsCompliant = _compliant,
            IsManaged = _managed,
            TrustType = _trustType,
            DeviceId = _deviceId,
            DisplayName = _displayName,
        };
    }

    private static Entry Kind(in EntryName name) => name.PlainLength switch
    {
        // A plain name can only be one of those of its length.
        2 => name.UpperEquals("OS") ? Entry.OperatingSystem : name.UpperEquals("ID") ? Entry.DeviceId : Entry.Other,
        9 => name.UpperEquals("ISMANAGED") ? Entry.Managed : name.UpperEquals("TRUSTTYPE") ? Entry.TrustType : Entry.Other,
        11 => name.UpperEquals("BROWSERTYPE") ? Entry.Browser
            : name.UpperEquals("ISCOMPLIANT") ? Entry.Compliant
            : name.UpperEquals("DISPLAYNAME") ? Entry.DisplayName
            : Entry.Other,
        21 => name.UpperEquals("ISCOMPLIANTANDMANAGED") ? Entry.Managed : Entry.Other,
        -1 => AnyKind(in name),
        _ => Entry.Other,
    };

    private static Entry AnyKind(in EntryName name) =>
        name.UpperEquals("OS") ? Entry.OperatingSystem
        : name.UpperEquals("BROWSERTYPE") ? Entry.Browser
        : name.UpperEquals("ISCOMPLIANT") ? Entry.Compliant
        : name.UpperEquals("ISCOMPLIANTANDMANAGED") || name.UpperEquals("ISMANAGED") ? Entry.Managed
        : name.UpperEquals("TRUSTTYPE") ? Entry.TrustType
        : name.UpperEquals("ID") ? Entry.DeviceId
        : name.UpperEquals("DISPLAYNAME") ? Entry.DisplayName
        : Entry.Other;

    /// <summary>One <c>{Name, Value}</c> object read for the device: which entry it is and its value's text.</summary>
    private sealed record DeviceEntry(Entry Kind, string? Text);
}
